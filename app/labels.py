"""Words a person reads for the service's codes, in Chinese and English: shared by the
pages and the file exports, so that a status reads the same everywhere."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

STATUS_WORDS: dict[str, dict[Lang, str]] = {
    "achieved": {"zh": "已完成", "en": "Achieved"},
    "on_track": {"zh": "进展顺利", "en": "On track"},
    "needs_acceleration": {"zh": "需加快", "en": "Needs acceleration"},
    "off_track": {"zh": "偏离目标", "en": "Off track"},
    "on_schedule": {"zh": "达到序时进度", "en": "On schedule"},
    "behind_schedule": {"zh": "落后序时进度", "en": "Behind schedule"},
    "insufficient_data": {"zh": "数据不足", "en": "Insufficient data"},
    "no_data": {"zh": "暂无数据", "en": "No data"},
}


def status_word(lang: Lang, status: str) -> str:
    return STATUS_WORDS.get(status, {}).get(lang, status)

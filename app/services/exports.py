"""Files out: every matching target, plan or figure as CSV or XLSX, and the import template.

An export holds one batch of rows at a time (``paging.keyset_batches`` reads them by
keyset), turns each row into the API's own JSON and back (``_item``: each number kept
as the JSON's own digits), flattens it into columns named as the JSON's
fields (the progress block's fields become columns of their own) and writes them: CSV
rows as they are made, XLSX as a workbook zipped while it is sent
(app/services/xlsx_stream.py). As of now the rows are the goals' stored reads, as the
JSON list gives them; as of another moment each batch is computed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.db import UnitOfWork
from app.labels import Lang, status_word
from app.models import Indicator, Observation, Plan, Region, Target
from app.queries import paging, reference
from app.schemas.json_numbers import number_text, splice
from app.schemas.progress import PlanProgressRead, TargetProgressRead
from app.services import goal_reads, observations, stored_reads, xlsx_stream
from app.services.goal_reads import GoalFilter
from app.services.progress import evaluate
from app.services.render import observation_read
from app.services.row_parsing import CSV_FIELDS
from app.services.spreadsheets import XLSX_MEDIA_TYPE
from app.services.xlsx_stream import Number

FileFormat = Literal["csv", "xlsx"]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CHUNK = 64 * 1024
# Rows per statement: a batch's objects are all that an export holds at a time.
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class FileAnswer:
    """A file to send: its name, media type, and its bytes as they are made."""

    filename: str
    media_type: str
    chunks: Iterator[bytes]


GOAL_HEAD = ("id", "indicator", "indicator_name", "region", "region_name")
GOAL_TERMS = ("basis", "comparator", "value", "unit")
BASELINE = ("baseline_year", "baseline_value", "baseline_unit", "baseline_period")
GOAL_TAIL = ("stretch", "source_document", "source_quote", "note", "retired_at")
TARGET_COLUMNS = (
    *GOAL_HEAD,
    *GOAL_TERMS,
    "start_year",
    "end_year",
    *BASELINE,
    *TargetProgressRead.model_fields,
    *GOAL_TAIL,
)
PLAN_COLUMNS = (
    *GOAL_HEAD,
    *GOAL_TERMS,
    "year",
    *BASELINE,
    *PlanProgressRead.model_fields,
    *GOAL_TAIL,
)
OBSERVATION_COLUMNS = (
    *GOAL_HEAD,
    "period",
    "value",
    "unit",
    "stated_value",
    "stated_unit",
    "yoy_growth",
    "reported_completion_rate",
    "source_document",
    "source_quote",
    "note",
    "revision",
    "recorded_at",
    "recorded_by",
)

ZH_HEADERS = {
    "id": "编号",
    "indicator": "指标代码",
    "indicator_name": "指标名称",
    "region": "地区代码",
    "region_name": "地区名称",
    "basis": "口径",
    "comparator": "比较",
    "value": "数值",
    "unit": "单位",
    "start_year": "起始年",
    "end_year": "目标年",
    "year": "年份",
    "baseline_year": "基期年",
    "baseline_value": "基期值",
    "baseline_unit": "基期单位",
    "baseline_period": "基期时段",
    "actual": "最新实际值",
    "actual_period": "实际值时段",
    "gap": "差距",
    "completion_rate": "完成率(%)",
    "progress_from_baseline": "较基期进展(%)",
    "elapsed": "序时进度(%)",
    "schedule_variance_pp": "快于序时进度(百分点)",
    "status": "状态",
    "status_text": "状态说明",
    "required_cagr": "所需年均增速(%)",
    "actual_cagr": "实际年均增速(%)",
    "projected_end_value": "预计期末值",
    "anticipated_progress": "预期进度(%)",
    "reported_completion_rate": "通报完成率(%)",
    "reported_gap_pp": "通报与计算之差(百分点)",
    "stretch": "力争",
    "source_document": "来源文件",
    "source_quote": "原文",
    "note": "备注",
    "retired_at": "停用时间",
    "period": "时段",
    "stated_value": "填报数值",
    "stated_unit": "填报单位",
    "yoy_growth": "同比增长(%)",
    "revision": "修订版本",
    "recorded_at": "录入时间",
    "recorded_by": "录入人",
}

STATUS_FILLS = {
    "achieved": "C6EFCE",
    "on_track": "C6EFCE",
    "on_schedule": "C6EFCE",
    "needs_acceleration": "FFEB9C",
    "behind_schedule": "FFC7CE",
    "off_track": "FFC7CE",
}
# Computed percentages and rates, given to four decimals: shown so in a workbook.
RATE_COLUMNS = {
    "completion_rate",
    "progress_from_baseline",
    "elapsed",
    "schedule_variance_pp",
    "required_cagr",
    "actual_cagr",
    "anticipated_progress",
    "reported_gap_pp",
}
WHOLE_COLUMNS = {"id", "start_year", "end_year", "year", "baseline_year", "revision"}


def headers(columns: Sequence[str], lang: Lang) -> list[str]:
    return [ZH_HEADERS.get(c, c) if lang == "zh" else c for c in columns]


# ---------------------------------------------------------------- rows from the API's JSON


def _item(text: str | bytes) -> dict[str, Any]:
    """An item of the API's JSON read back with each number as its own digits (a
    ``Number``: text for a CSV cell, a number for a workbook), never through a float or
    a Decimal and back."""
    parsed: dict[str, Any] = _DECODER.decode(text if isinstance(text, str) else text.decode())
    return parsed


_DECODER = json.JSONDecoder(parse_float=Number, parse_int=Number)


def _api_json(read: BaseModel) -> dict[str, Any]:
    """A read as the API writes it, read back with exact numbers."""
    return _item(splice(read.model_dump_json().encode()))


def _common(item: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in item.items() if not isinstance(v, dict | list)}
    flat["indicator"] = item["indicator"]["code"]
    flat["indicator_name"] = item["indicator"]["name"]
    flat["region"] = item["region"]["code"]
    flat["region_name"] = item["region"]["name"]
    source = item.get("source") or {}
    flat["source_document"] = source.get("document")
    flat["source_quote"] = source.get("quote")
    return flat


def goal_row(item: dict[str, Any]) -> dict[str, Any]:
    """A target's or plan's JSON, flattened: the baseline and the progress as columns."""
    flat = _common(item)
    baseline = item.get("baseline") or {}
    for name in ("year", "value", "unit", "period"):
        flat[f"baseline_{name}"] = baseline.get(name)
    flat.update(item["progress"])
    return flat


# ---------------------------------------------------------------- the exports


def export_goals(
    uow: UnitOfWork,
    model: type[Target] | type[Plan],
    goals: GoalFilter,
    *,
    status: str | None,
    as_of: datetime,
    as_of_given: bool,
    file_format: FileFormat,
    lang: Lang,
) -> FileAnswer:
    """Every target or plan the list's filters select, with its progress as of ``as_of``:
    as of now from the stored reads (as the JSON list reads them), as of another moment
    computed a batch at a time."""
    session = uow.session
    stmt = goal_reads.selected(session, model, goals)
    columns = TARGET_COLUMNS if model is Target else PLAN_COLUMNS

    def computed() -> Iterator[dict[str, Any]]:
        for batch in paging.keyset_batches(session, stmt, model.id, EXPORT_BATCH):
            for read in evaluate(session, model, batch, as_of):
                if status is None or read.progress.status == status:
                    yield goal_row(_api_json(read))

    def stored(selected: Select[Any, Indicator, Region]) -> Iterator[dict[str, Any]]:
        for item in stored_reads.current_items(session, model, selected):
            yield goal_row(_item(item))

    rows: Iterator[dict[str, Any]]
    if as_of_given:
        rows = computed()
    elif status is not None:
        stored_reads.refresh_missing(uow, model, stmt)
        rows = stored(stmt.where(model.status == status))
    else:
        rows = stored(stmt)
    kind = "targets" if model is Target else "plans"
    return _file(kind, goals.region, as_of, columns, rows, file_format, lang)


def export_observations(
    session: Session,
    as_of: datetime,
    *,
    indicator: str | None,
    region: str | None,
    period: str | None,
    include_revisions: bool,
    file_format: FileFormat,
    lang: Lang,
) -> FileAnswer:
    """Every figure the list's filters select (the newest revision of each, or all)."""
    stmt = observations.selected(
        session,
        as_of,
        indicator=indicator,
        region=region,
        period=period,
        include_revisions=include_revisions,
    )

    def rows() -> Iterator[dict[str, Any]]:
        for batch in paging.keyset_batches(session, stmt, Observation.id, EXPORT_BATCH):
            for o, i, r in batch:
                yield _common(_api_json(observation_read(o, i, r)))

    return _file("observations", region, as_of, OBSERVATION_COLUMNS, rows(), file_format, lang)


def _file(
    kind: str,
    region: str | None,
    as_of: datetime,
    columns: Sequence[str],
    rows: Iterator[dict[str, Any]],
    file_format: FileFormat,
    lang: Lang,
) -> FileAnswer:
    name = "-".join([kind, *([region] if region else []), as_of.date().isoformat()])
    if file_format == "csv":
        return FileAnswer(f"{name}.csv", CSV_MEDIA_TYPE, csv_chunks(columns, rows, lang))
    return FileAnswer(f"{name}.xlsx", XLSX_MEDIA_TYPE, xlsx_chunks(kind, columns, rows, lang))


# ---------------------------------------------------------------- CSV


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def csv_chunks(
    columns: Sequence[str], rows: Iterable[dict[str, Any]], lang: Lang
) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel then reads the Chinese right), CRLF, a chunk every few rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(headers(columns, lang))
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# ---------------------------------------------------------------- XLSX


def _xlsx_columns(columns: Sequence[str]) -> list[str]:
    """The columns with the status in words beside the status code."""
    out = list(columns)
    if "status" in out:
        out.insert(out.index("status") + 1, "status_text")
    return out


def xlsx_chunks(
    kind: str, columns: Sequence[str], rows: Iterable[dict[str, Any]], lang: Lang
) -> Iterator[bytes]:
    """The workbook streamed as it is written (app/services/xlsx_stream.py): the status
    in words beside its code, filled in its colour; rates shown to four decimals."""
    names = _xlsx_columns(columns)
    sheet_columns = [
        xlsx_stream.Column(
            header,
            width=30 if name in ("indicator_name", "source_quote", "note") else 14,
            number_style=(
                xlsx_stream.RATE
                if name in RATE_COLUMNS
                else xlsx_stream.WHOLE
                if name in WHOLE_COLUMNS
                else xlsx_stream.PLAIN
            ),
        )
        for name, header in zip(names, headers(names, lang), strict=True)
    ]
    words = "status_text" in names

    def cells() -> Iterator[list[Any]]:
        for row in rows:
            if words and (status := row.get("status")) is not None:
                row = {**row, "status_text": status_word(lang, status)}
            yield [row.get(name) for name in names]

    return xlsx_stream.workbook_chunks(
        kind,
        sheet_columns,
        cells(),
        fill_column=names.index("status_text") if words else None,
        fills=STATUS_FILLS,
    )


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


# ---------------------------------------------------------------- the import template

TEMPLATE_EXAMPLE = (
    "key_project_investment",
    "500000",
    "2023-Q3",
    "3480",
    "亿元",
    "12.1",
    "79.1",
    "",
    "",
    "季度通报",
)


def template(session: Session, file_format: FileFormat) -> FileAnswer:
    """The import's columns with one example row; the XLSX lists the valid indicator and
    region codes on a second sheet and offers them as drop-downs."""
    today = date.today().isoformat()
    if file_format == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_FIELDS)
        writer.writerow(TEMPLATE_EXAMPLE)
        body = buffer.getvalue().encode()
        return FileAnswer(f"observations-template-{today}.csv", CSV_MEDIA_TYPE, iter([body]))
    indicators = sorted(reference.indicators_by_code(session).values(), key=lambda i: i.code)
    regions = reference.regions(session)
    body = template_xlsx(
        [(i.code, i.name, i.unit) for i in indicators], [(r.code, r.name) for r in regions]
    )
    return FileAnswer(f"observations-template-{today}.xlsx", XLSX_MEDIA_TYPE, iter([body]))


TEMPLATE_ROWS = 10_000  # rows offered the drop-downs: a batch's most


def template_xlsx(
    indicators: Sequence[tuple[str, str, str]], regions: Sequence[tuple[str, str]]
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "observations"
    sheet.append(list(CSV_FIELDS))
    sheet.append(list(TEMPLATE_EXAMPLE))
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(CSV_FIELDS, start=1):
        letter = _letter(index)
        sheet.column_dimensions[letter].width = 30 if column in ("source_quote", "note") else 16
        if column in ("region", "period"):
            # Text, or Excel turns 2023-09 into a date and drops a code's leading zeros.
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, 3):
                sheet.cell(row=row, column=index).number_format = "@"
    codes = workbook.create_sheet("codes")
    codes.append(["indicator", "indicator_name", "unit", "", "region", "region_name"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for row in range(max(len(indicators), len(regions))):
        values: list[Any] = [*indicators[row], ""] if row < len(indicators) else ["", "", "", ""]
        if row < len(regions):
            values += list(regions[row])
        codes.append(values)
    codes.column_dimensions["B"].width = 30
    codes.column_dimensions["F"].width = 20
    last = TEMPLATE_ROWS + 1
    for field, source_column, count in (
        ("indicator", "A", len(indicators)),
        ("region", "E", len(regions)),
    ):
        if not count:
            continue
        letter = _letter(CSV_FIELDS.index(field) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"=codes!${source_column}$2:${source_column}${count + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"unknown {field}",
            error=f"choose a {field} code listed on the sheet 'codes'",
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Loading the seeds onto a database an earlier version seeded leaves nothing behind."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Observation, Plan
from app.seeding import load_seeds
from tests.conftest import SEEDS_DIR

DOC_000 = "000_bbfb33ee8f0c57e9"
DOC_002 = "002_26222ab83b5d729f"
# Rows the audit (#17.8) removed, as an earlier version of the files held them.
OLD_OBSERVATION = (
    "good_air_quality_days,500000,2022,300,天,,,空气质量优良天数稳定在300天以上,"
    "稳定在300天以上: lower bound stated for each year of 2018-2022\n"
)
OLD_PLAN = (
    "cc_joint_major_projects,500000,2023,value,>=,248,个,,,,"
    "川渝特高压交流工程等248个重大项目建设,scope of the 2023 joint project list\n"
)


def _counts(session: Session) -> tuple[int, int, int]:
    observations = session.scalar(select(func.count()).select_from(Observation))
    plans = session.scalar(select(func.count()).select_from(Plan))
    floors = session.scalar(
        select(func.count()).where(
            Observation.indicator_code == "good_air_quality_days",
            Observation.region_code == "500000",
            Observation.period == "2022",
        )
    )
    return observations or 0, plans or 0, floors or 0


def test_a_seed_row_no_file_holds_any_more_is_removed(session: Session, tmp_path: Path) -> None:
    now = _counts(session)
    assert now[2] == 0
    old = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, old)
    with (old / "figures" / DOC_002 / "observations.csv").open("a", encoding="utf-8") as f:
        f.write(OLD_OBSERVATION)
    with (old / "figures" / DOC_000 / "plans.csv").open("a", encoding="utf-8") as f:
        f.write(OLD_PLAN)
    load_seeds(session, old)
    assert _counts(session) == (now[0] + 1, now[1] + 1, 1)
    # an analyst's figure of the same series is never a seed's to remove
    session.add(
        Observation(
            indicator_code="good_air_quality_days",
            region_code="500000",
            period="2023-Q1",
            period_year=2023,
            period_end_month=3,
            revision=1,
            value=80,
            unit="天",
            recorded_by="analyst",
        )
    )
    session.flush()
    load_seeds(session, SEEDS_DIR)
    assert _counts(session) == (now[0] + 1, now[1], 0)
    load_seeds(session, SEEDS_DIR)  # and again: nothing changes
    assert _counts(session) == (now[0] + 1, now[1], 0)

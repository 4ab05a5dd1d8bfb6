"""What a committed write touched, told as tags, so that each worker's response cache drops
only the answers that depend on it (app/api/response_cache.py).

A read declares the tags its answer depends on; a write declares what it touched. The tags:

- ``("s", indicator, region)``: one series. A goal's detail depends on its series only.
- ``("r", region)``: a region's goals and figures. Lists and the region page are keyed by
  the exact region (``region=X`` never includes the regions below X), so a figure of a
  county touches the county, not its prefecture or province.
- ``("i", indicator)``: an indicator's goals and figures in every region.
- ``ANY``: every answer that reads across regions and indicators (an unfiltered list).

A change to series (I, R) touches ``("s", I, R)``, ``("r", R)``, ``("i", I)`` and ``ANY``.
What cannot be told as series (an admin's goal edit, a new goal, a document's intake, a
seed load, a region renamed, a commit that declared nothing) touches everything: that is
``None`` wherever a set of tags is expected.

Across processes the writer sends one ``NOTIFY policy_tracker_changed`` whose payload names
the series (``announce``); a payload over ``MAX_PAYLOAD`` bytes names the regions and
indicators instead (a superset: every series of those regions and indicators), and past
that, everything. The statement triggers of migration 0005 stay quiet for these
transactions (``begin`` sets ``policy_tracker.announced``, migration 0011), so one write
is one notice; writes made elsewhere (psql, a COPY) still fire them, and a notice that
names a table means everything.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

CHANNEL = "policy_tracker_changed"
# The transaction-local setting that silences the statement triggers (migration 0011).
ANNOUNCED_SETTING = "policy_tracker.announced"
# Postgres refuses a NOTIFY payload of 8,000 bytes or more.
MAX_PAYLOAD = 7900

Tag = tuple[str, ...]
ANY: Tag = ("any",)
# This process, in its own notices: its listener skips them (its commit hook has already
# dropped what they name).
PROCESS_TOKEN = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"

_INFO_KEY = "policy_tracker.change"


@dataclass
class Change:
    """What one transaction touched: series, or everything."""

    series: set[tuple[str, str]] = field(default_factory=set)
    everything: bool = False

    def tags(self) -> frozenset[Tag] | None:
        """The tags this change touches; None for everything."""
        if self.everything:
            return None
        return series_tags(self.series)


def series_tag(indicator: str, region: str) -> Tag:
    return ("s", indicator, region)


def region_tag(region: str) -> Tag:
    return ("r", region)


def indicator_tag(indicator: str) -> Tag:
    return ("i", indicator)


def series_tags(series: Iterable[tuple[str, str]]) -> frozenset[Tag]:
    """Every tag a change to these (indicator, region) series touches."""
    tags: set[Tag] = set()
    for indicator, region in series:
        tags |= {series_tag(indicator, region), region_tag(region), indicator_tag(indicator)}
    return frozenset(tags | {ANY}) if tags else frozenset()


def cross_tags(regions: Iterable[str], indicators: Iterable[str]) -> frozenset[Tag]:
    """Every tag a change to any series of these regions and indicators touches."""
    regions, indicators = sorted(set(regions)), sorted(set(indicators))
    return series_tags((i, r) for r in regions for i in indicators) | {
        *(region_tag(r) for r in regions),
        *(indicator_tag(i) for i in indicators),
    }


def list_tags(region: str | None, indicator: str | None) -> frozenset[Tag]:
    """What a list filtered by region and/or indicator depends on (other filters only
    narrow it further)."""
    if region and indicator:
        return frozenset({series_tag(indicator, region)})
    if region:
        return frozenset({region_tag(region)})
    if indicator:
        return frozenset({indicator_tag(indicator)})
    return frozenset({ANY})


# --- what a transaction declares ---------------------------------------------------


def _change(session: Session) -> Change:
    change = session.info.get(_INFO_KEY)
    if change is None:
        change = session.info[_INFO_KEY] = Change()
    assert isinstance(change, Change)
    return change


def touch_series(session: Session, series: Iterable[tuple[str, str]]) -> None:
    """This transaction wrote figures or stored progress of these (indicator, region)
    series."""
    _change(session).series.update(series)


def touch_nothing(session: Session) -> None:
    """This transaction changes no cached answer by itself (a fill of stored progress, a
    compaction of tallies): declared, so that it does not count as unknown."""
    _change(session)


def touch_everything(session: Session) -> None:
    """This transaction changed what cannot be told as series (goals, reference data)."""
    _change(session).everything = True


def taken(session: Session) -> frozenset[Tag] | None:
    """The tags the transaction just committed touched, and forget them; None (everything)
    when it declared nothing."""
    change = session.info.pop(_INFO_KEY, None)
    if not isinstance(change, Change):
        return None
    return change.tags()


def forget(session: Session) -> None:
    session.info.pop(_INFO_KEY, None)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def begin(session: Session) -> None:
    """At the start of a transaction that writes: nothing declared yet, and on Postgres the
    statement triggers silenced for it (its own notice, ``announce``, names what it did)."""
    forget(session)
    if _is_postgres(session):
        session.execute(text("SELECT set_config(:name, 'on', true)"), {"name": ANNOUNCED_SETTING})


def announce(session: Session) -> None:
    """Before the commit (Postgres): queue the one notice of this transaction; Postgres
    sends it when the transaction commits, and never if it rolls back."""
    if not _is_postgres(session):
        return
    change = session.info.get(_INFO_KEY)
    if isinstance(change, Change) and not change.everything and not change.series:
        return  # declared, and nothing a cached answer depends on
    session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": payload(change if isinstance(change, Change) else None)},
    )


# --- the notice's payload ----------------------------------------------------------


def payload(change: Change | None, limit: int = MAX_PAYLOAD) -> str:
    """The series; or, when that is too long, the regions and indicators; or everything."""
    head: dict[str, object] = {"w": PROCESS_TOKEN}
    if change is None or change.everything:
        return json.dumps(head | {"all": True}, separators=(",", ":"))
    series = sorted(change.series)
    text_ = json.dumps(head | {"s": series}, separators=(",", ":"))
    if len(text_.encode()) <= limit:
        return text_
    wide = {"r": sorted({r for _, r in series}), "i": sorted({i for i, _ in series})}
    text_ = json.dumps(head | wide, separators=(",", ":"))
    if len(text_.encode()) <= limit:
        return text_
    return json.dumps(head | {"all": True}, separators=(",", ":"))


@dataclass(frozen=True)
class Notice:
    """A notice as heard: who sent it, and what it touched (None: everything)."""

    sender: str | None
    tags: frozenset[Tag] | None


def parse(payload_text: str) -> Notice:
    """A notice's payload; anything but ours (a statement trigger's table name) is
    everything."""
    try:
        body = json.loads(payload_text)
    except ValueError:
        return Notice(None, None)
    if not isinstance(body, dict):
        return Notice(None, None)
    sender = body.get("w") if isinstance(body.get("w"), str) else None
    try:
        if "s" in body:
            return Notice(sender, series_tags((str(i), str(r)) for i, r in body["s"]))
        if "r" in body and "i" in body:
            return Notice(sender, cross_tags(map(str, body["r"]), map(str, body["i"])))
    except (TypeError, ValueError):
        pass
    return Notice(sender, None)

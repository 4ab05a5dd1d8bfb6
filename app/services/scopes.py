"""Which regions a key may write for: those of its scope and their descendants.

A key with no regions is unscoped (every key made before scopes existed): it may write
for every region, and checking it costs one query (its regions). A scoped key's check
walks up from each region written to its ancestors (a few levels, one query per level)
until it meets a region of the scope or the top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from app.errors import AppError, FieldError
from app.models import ApiKey
from app.queries import api_keys as q
from app.queries.reference import parents

# Deeper than any real hierarchy (province, city, district, zone): a guard against a cycle.
MAX_DEPTH = 32


class RegionForbidden(AppError):
    def __init__(self, key: ApiKey, scope: list[str], regions: Mapping[str, int | None]) -> None:
        names = ", ".join(regions)
        within = ", ".join(scope)
        super().__init__(
            f"the key '{key.name}' may write for {within} and their subregions only, "
            f"not for {names}",
            403,
            "region_forbidden",
            [
                FieldError("region", f"'{code}' is outside the key's scope ({within})", row)
                for code, row in regions.items()
            ],
        )


def scope(session: Session, key: ApiKey) -> list[str]:
    """The key's regions; empty for an unscoped key."""
    return q.scope_codes(session, key.id)


def outside(session: Session, allowed: Iterable[str], codes: Iterable[str]) -> set[str]:
    """The regions among ``codes`` that exist and are neither in ``allowed`` nor below one
    of them. A code that names no region is left to the caller's validation."""
    allowed = set(allowed)
    climbing = {code: code for code in codes if code not in allowed}  # region -> ancestor
    found: set[str] = set()
    for _ in range(MAX_DEPTH):
        if not climbing:
            break
        known = parents(session, set(climbing.values()))
        next_step: dict[str, str] = {}
        for code, at in climbing.items():
            if at not in known:
                continue  # no such region
            parent = known[at]
            if parent is None:
                found.add(code)
            elif parent not in allowed:
                next_step[code] = parent
        climbing = next_step
    return found | set(climbing)


def require(session: Session, key: ApiKey, regions: Mapping[str, int | None]) -> None:
    """403 ``region_forbidden`` naming every region (with the first row that names it)
    that the key may not write for."""
    codes = scope(session, key)
    if not codes:
        return
    forbidden = outside(session, codes, regions)
    if forbidden:
        raise RegionForbidden(key, codes, {c: regions[c] for c in sorted(forbidden)})


def require_rows(session: Session, key: ApiKey, rows: Iterable[object]) -> None:
    """``require`` for a batch of posted rows (before validation: a row's ``region`` that
    is not a region is the validation's to report)."""
    first: dict[str, int | None] = {}
    for number, row in enumerate(rows, start=1):
        region = row.get("region") if isinstance(row, dict) else None
        # Only what could be a code: the database must not see a NUL or a lone surrogate.
        if isinstance(region, str) and len(region) <= 64 and region.isprintable():
            first.setdefault(region, number)
    if first:
        require(session, key, first)

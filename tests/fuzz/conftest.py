"""Counts of what the schema fuzzer exercised, printed in the terminal summary (no -s needed)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest


@dataclass
class FuzzStats:
    cases: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    call_seconds: Counter[str] = field(default_factory=Counter)
    scenarios: int = 0
    stateful_steps: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)


STATS = FuzzStats()


@pytest.fixture(scope="session")
def fuzz_stats() -> FuzzStats:
    return STATS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not STATS.cases and not STATS.scenarios:
        return
    write = terminalreporter.write_line
    terminalreporter.section("schemathesis")
    write(
        f"operations fuzzed: {len(STATS.cases)}, cases: {sum(STATS.cases.values())}"
        + "".join(f", {name}: {s:.1f}s" for name, s in STATS.seconds.items())
    )
    for label, count in sorted(STATS.cases.items()):
        statuses = sorted(STATS.statuses.get(label, Counter()).items())
        seconds = STATS.call_seconds[label]
        write(
            f"  {count:5d}  {label:34s} {seconds:5.1f}s  "
            + " ".join(f"{c}×{n}" for c, n in statuses)
        )
    if STATS.scenarios:
        write(
            f"stateful: {STATS.scenarios} scenarios, "
            f"{sum(STATS.stateful_steps.values())} steps (operation → status):"
        )
        for label, count in sorted(STATS.stateful_steps.items()):
            write(f"  {count:5d}  {label}")

"""Load tools, all bounded in time: a Python loop (threads + httpx), wrk, pgbench.

Each returns a ``LoadResult``; only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx


@dataclass
class LoadResult:
    tool: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    mean_ms: float | None
    timeouts: int = 0
    note: str = ""
    statuses: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def percentile(sorted_ms: Sequence[float], q: float) -> float | None:
    if not sorted_ms:
        return None
    k = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return sorted_ms[k]


def summarise(
    tool: str, latencies_ms: list[float], errors: int, seconds: float, **extra: object
) -> LoadResult:
    ok = sorted(latencies_ms)
    return LoadResult(
        tool=tool,
        requests=len(ok) + errors,
        errors=errors,
        seconds=seconds,
        rps=len(ok) / seconds if seconds > 0 else 0.0,
        p50_ms=percentile(ok, 0.50),
        p90_ms=percentile(ok, 0.90),
        p99_ms=percentile(ok, 0.99),
        mean_ms=statistics.fmean(ok) if ok else None,
        **extra,  # type: ignore[arg-type]
    )


def _check_local(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the bench only loads servers on this machine, not {host}")


def python_load(
    urls: Sequence[str],
    *,
    duration: float,
    concurrency: int,
    timeout: float = 60.0,
    max_requests: int = 1_000_000,
) -> LoadResult:
    """``concurrency`` threads, each with a keep-alive client, GET the URLs round-robin."""
    for url in urls:
        _check_local(url)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    timeouts = 0
    lock = threading.Lock()
    counter = iter(range(max_requests))
    start = time.perf_counter()
    deadline = start + duration

    def worker() -> None:
        nonlocal errors, timeouts
        with httpx.Client(timeout=timeout) as client:
            while time.perf_counter() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                url = urls[n % len(urls)]
                t = time.perf_counter()
                try:
                    response = client.get(url)
                    response.read()
                    code = str(response.status_code)
                except httpx.TimeoutException:
                    code = "timeout"
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    statuses[code] = statuses.get(code, 0) + 1
                    if code == "200":
                        latencies.append(elapsed)
                    else:
                        errors += 1
                        timeouts += code == "timeout"

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(duration + timeout + 5)
    seconds = time.perf_counter() - start
    return summarise("python", latencies, errors, seconds, timeouts=timeouts, statuses=statuses)


def timed_requests(
    send: Callable[[], httpx.Response], *, count: int, budget: float
) -> tuple[list[float], list[str]]:
    """Sequential requests (one client), at most ``count`` and none started after ``budget`` s."""
    latencies: list[float] = []
    outcomes: list[str] = []
    start = time.perf_counter()
    for _ in range(count):
        if time.perf_counter() - start > budget:
            break
        t = time.perf_counter()
        try:
            response = send()
            code = str(response.status_code)
        except httpx.TimeoutException:
            code = "timeout"
        outcomes.append(code)
        if code.startswith("2"):
            latencies.append((time.perf_counter() - t) * 1000)
        if code == "timeout":
            break
    return latencies, outcomes


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str) -> float:
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * _UNITS_MS[m.group(2)]


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk_load(
    base: str, paths: Sequence[str], *, duration: float, concurrency: int, timeout: float = 60.0
) -> LoadResult:
    _check_local(base)
    lua = (
        "local paths = {"
        + ", ".join(f'"{p}"' for p in paths)
        + "}\n"
        + (
            "local i = 0\nrequest = function()\n  i = i + 1\n"
            "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(lua)
        argv = [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{max(1, round(duration))}s",
            f"--timeout={max(1, round(timeout))}s",
            "--latency",
            "-s",
            str(script),
            base,
        ]
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=duration + timeout + 30, check=True
        )
    out = done.stdout
    requests = int(re.search(r"(\d+) requests in ([0-9.]+)(\w+)", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    dist = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    mean = re.search(r"Latency\s+(\S+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    timeouts = int(sock.group(4)) if sock else 0
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(sock.group(i)) for i in range(1, 5)) if sock else 0
    )
    done_ok = requests - errors > 0
    return LoadResult(
        tool="wrk",
        requests=requests,
        errors=errors,
        seconds=duration,
        rps=rps,
        p50_ms=_wrk_ms(dist["50"]) if "50" in dist and done_ok else None,
        p90_ms=_wrk_ms(dist["90"]) if "90" in dist and done_ok else None,
        p99_ms=_wrk_ms(dist["99"]) if "99" in dist and done_ok else None,
        mean_ms=_wrk_ms(mean.group(1)) if mean and done_ok else None,
        timeouts=timeouts,
        note="" if done_ok else "no request completed within the window",
    )


def http_load(
    tool: str, base: str, paths: Sequence[str], *, duration: float, concurrency: int, timeout: float
) -> LoadResult:
    if tool == "wrk":
        return wrk_load(base, paths, duration=duration, concurrency=concurrency, timeout=timeout)
    return python_load(
        [base + p for p in paths], duration=duration, concurrency=concurrency, timeout=timeout
    )


def have_pgbench() -> bool:
    return shutil.which("pgbench") is not None


def pgbench_load(
    scripts: Sequence[str], env: dict[str, str], *, duration: float, concurrency: int
) -> LoadResult:
    """pgbench with one script per region (equal weights), per-transaction latencies logged."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [
            "pgbench",
            "-n",
            "-M",
            "simple",
            "-c",
            str(concurrency),
            "-j",
            str(min(concurrency, 2)),
            "-T",
            str(max(1, round(duration))),
            "-l",
            "--log-prefix",
            str(Path(tmp) / "pgbench_log"),
        ]
        for i, sql in enumerate(scripts):
            path = Path(tmp) / f"script{i}.sql"
            path.write_text(sql)
            argv += ["-f", str(path)]
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=duration + 120,
            cwd=tmp,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pgbench failed: {done.stderr[-2000:]}")
        latencies: list[float] = []
        for log in Path(tmp).glob("pgbench_log*"):
            for line in log.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    latencies.append(int(parts[2]) / 1000)
    out = done.stdout
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    failed = re.search(r"number of failed transactions: (\d+)", out)
    result = summarise("pgbench", latencies, int(failed.group(1)) if failed else 0, duration)
    result.rps = tps
    return result


def psycopg_load(
    conninfo: str, scripts: Sequence[str], *, duration: float, concurrency: int
) -> LoadResult:
    """Fallback without pgbench: the same statements from Python threads, one connection each."""
    import psycopg

    latencies: list[float] = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + duration
    statements = [[s.strip() for s in script.split(";\n") if s.strip()] for script in scripts]

    def worker(offset: int) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            n = offset
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                for stmt in statements[n % len(statements)]:
                    conn.execute(stmt.rstrip(";")).fetchall() if stmt.upper().startswith(
                        "SELECT"
                    ) else conn.execute(stmt.rstrip(";"))
                with lock:
                    latencies.append((time.perf_counter() - t) * 1000)
                n += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(duration + 120)
    return summarise("psycopg", latencies, 0, time.perf_counter() - start)

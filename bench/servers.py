"""The servers under test, each a uvicorn subprocess on 127.0.0.1, stopped by its own id.

Every server runs with a memory ceiling (``RLIMIT_DATA``) and a Postgres ``statement_timeout``
(through ``PGOPTIONS``), so a request that would take the machine's memory or run for ever
fails instead.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.settings import Settings
from bench.db import PROJECT_ROOT, Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(
        self,
        name: str,
        target: str,
        env: dict[str, str],
        *,
        workers: int,
        log_dir: Path,
        mem_limit_gb: float,
        statement_timeout_s: float,
    ) -> None:
        self.name = name
        self.target = target
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            **env,
            "PGOPTIONS": f"-c statement_timeout={int(statement_timeout_s * 1000)}",
        }
        self.workers = workers
        self.log_path = log_dir / f"{name}.log"
        self.mem_limit = int(mem_limit_gb * 2**30)
        self.process: subprocess.Popen[bytes] | None = None

    def _limits(self) -> None:
        # RLIMIT_DATA caps heap and anonymous mappings (not thread-stack reservations).
        resource.setrlimit(resource.RLIMIT_DATA, (self.mem_limit, self.mem_limit))

    def start(self, ready_path: str = "/healthz", timeout: float = 60.0) -> Server:
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            self.target,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            # as ``python -m app serve --workers N``: the supervisor waits this long for a
            # worker busy with a long request before killing it (uvicorn's default: 5 s)
            "--timeout-worker-healthcheck",
            str(Settings.model_fields["worker_healthcheck_seconds"].default),
            "--no-access-log",
            "--log-level",
            "info",
        ]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=self._limits,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                if httpx.get(self.base + ready_path, timeout=2).status_code == 200:
                    # With several workers, give each a moment to finish its start-up.
                    time.sleep(0.3 * (self.workers - 1))
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {ready_path} in {timeout} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session: the group is ours, id = our child's pid
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(15)

    def kill(self) -> None:
        """For a server stuck on a timed-out request: SIGTERM would wait for it to finish."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(15)

    def exit_report(self) -> str:
        """What the log says about a worker that died (uvicorn logs the supervisor at INFO)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return text[-2000:]

    def pids(self) -> list[int]:
        """Our process and its workers: every process in the group we started."""
        if self.process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == self.process.pid:  # field 5: process group
                found.append(int(entry.name))
        return found

    def peak_rss_mib(self) -> float | None:
        """Largest resident-set high-water mark among the server's processes."""
        peaks = []
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
            except OSError:
                continue
        return max(peaks) if peaks else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def app_server(db: Database, *, response_cache: bool = True, **kwargs: object) -> Server:
    """The app as served; without its response cache, every read runs its queries."""
    env = {"DATABASE_URL": db.url}
    if not response_cache:
        env["RESPONSE_CACHE_BYTES"] = "0"
    name = "app" if response_cache else "app-uncached"
    return Server(name, "app.main:app", env, **kwargs)  # type: ignore[arg-type]


def json_server(db: Database, **kwargs: object) -> Server:
    return Server(
        "json",
        "bench.jsonserver:app",
        {"BENCH_CONNINFO": db.conninfo()},
        **kwargs,  # type: ignore[arg-type]
    )

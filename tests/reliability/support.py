"""Real processes for the reliability tests: a throwaway Postgres cluster and the service.

Nothing here touches the shared Postgres on 127.0.0.1:5432: a cluster lives in its own
temp folder, listens on a free port of its own and keeps its socket in that folder, and
every ``pg_ctl`` names that folder with ``-D``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def postgres_bindir() -> Path | None:
    """The newest installed ``/usr/lib/postgresql/<version>/bin`` with an ``initdb``."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        return None
    return Path(max(found, key=lambda p: int(Path(p).parts[-3].split(".")[0]))).parent


def postgres_skip_reason() -> str | None:
    """Why a throwaway cluster cannot be made here, or None."""
    if postgres_bindir() is None:
        return "no Postgres binaries: /usr/lib/postgresql/*/bin/initdb is absent"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing (Postgres refuses to run as root)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class PgCluster:
    """``initdb`` into a temp folder, trust auth, on 127.0.0.1:<free port>."""

    bindir: Path
    base: Path = field(init=False)
    port: int = field(init=False)

    def __post_init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="pt-reliability-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.base, entry.pw_uid, entry.pw_gid)

    @property
    def datadir(self) -> Path:
        return self.base / "data"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command,
            cwd=self.base,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
                f"\n{self.log_tail()}"
            )
        return result

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        """Returns once the server accepts connections (``pg_ctl -w``)."""
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=50"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-l",
            str(self.base / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def basebackup_from(self, primary: PgCluster) -> None:
        """Make this cluster a streaming hot standby of ``primary`` (``pg_basebackup -R``:
        it writes ``standby.signal`` and the connection to the primary); then ``start``."""
        self._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.datadir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            timeout=120,
        )

    def query(self, sql: str, database: str = "postgres") -> Any:
        """The first column of the first row of ``sql``."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        ) as conn:
            row = conn.execute(sql.encode()).fetchone()
            return None if row is None else row[0]

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    def destroy(self) -> None:
        try:
            if self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.encode())

    def log_tail(self, lines: int = 30) -> str:
        log = self.base / "server.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def run_cli(args: list[str], env: dict[str, str], timeout: float = 120) -> str:
    """``python -m app ARGS`` with ``env``; its stdout (fails the test on a non-zero exit)."""
    result = subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"python -m app {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def service_env(database_url: str, **settings: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = database_url
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k.upper(): str(v) for k, v in settings.items()})
    return env


class Service:
    """``python -m app serve --port P`` as a child process, logging to a file."""

    def __init__(self, env: dict[str, str], log_dir: Path, port: int | None = None) -> None:
        self.env = env
        self.port = port or free_port()
        self.log_path = log_dir / f"service-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 30) -> None:
        assert self.process is None or self.process.poll() is not None
        self.starts += 1
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the service exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"the service did not answer /healthz in {timeout} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, no commit."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def batch_rows(count: int, note: str) -> list[dict[str, Any]]:
    """``count`` rows with distinct natural keys: gdp in every region, 1949 to 2022."""
    regions = [
        line.split(",", 1)[0]
        for line in (ROOT / "seeds" / "regions.csv").read_text(encoding="utf-8").splitlines()[1:]
        if line
    ]
    periods = []
    for year in range(1949, 2023):
        periods += [str(year), f"{year}-H1", f"{year}-H2"]
        periods += [f"{year}-Q{q}" for q in range(1, 5)]
        periods += [f"{year}-M{m:02d}" for m in range(1, 13)]
    keys = [(r, p) for r in regions for p in periods]
    assert len(keys) >= count
    return [
        {
            "indicator": "gdp",
            "region": r,
            "period": p,
            "value": 1000 + i % 97,
            "unit": "亿元",
            "note": note,
        }
        for i, (r, p) in enumerate(keys[:count])
    ]


def report(line: str) -> None:
    """Print a measured figure; shown with ``-s`` and collected into the terminal summary."""
    REPORTS.append(line)
    print(line)


REPORTS: list[str] = []

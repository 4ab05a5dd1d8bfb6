"""All configuration, read from the environment (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Absolute: the same file whatever the working directory.
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'policy_tracker.db'}"
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    # The five source documents, byte for byte as collected (seeds/sources/README.md).
    sources_dir: Path = PROJECT_ROOT / "seeds" / "sources"
    db_pool_timeout_seconds: float = 2.0
    db_connect_timeout_seconds: int = 2
    # Postgres connection pool per process (SQLAlchemy's defaults); a request that finds
    # every connection busy for db_pool_timeout_seconds is answered 503 with Retry-After.
    db_pool_size: int = 5
    db_max_overflow: int = 10
    max_body_bytes: int = 5 * 1024 * 1024
    max_batch_rows: int = 10_000
    # Addresses of reverse proxies whose X-Forwarded-For is believed (uvicorn's syntax:
    # "10.0.0.1,10.0.0.2" or "*"); empty, the default: no proxy is, and every limit counts
    # the connecting address.
    forwarded_allow_ips: str = ""
    auth_failure_limit: int = 20
    auth_failure_window_seconds: int = 60
    # Recent read answers kept in memory per worker (app/api/response_cache.py), on
    # Postgres only: 0 turns the cache off. Entries also expire after the given seconds.
    response_cache_bytes: int = 64 * 1024 * 1024
    response_cache_seconds: float = 60.0
    # The short way in for a scorecard and a goal's detail (app/api/hot_reads.py); off,
    # every request goes through the framework's routing (the tests compare the two).
    hot_reads: bool = True
    # A current scorecard or goal read by its one statement on psycopg's async connections
    # in the event loop, without a thread or a session (app/direct_reads.py); on Postgres
    # without a read replica. Off, every read goes through a session in a worker thread.
    direct_reads: bool = True
    # A thread per worker that recomputes the goals of series posted with
    # Prefer: return=minimal once the worker is quiet (app/services/backlog_refresher.py),
    # on Postgres only, then builds the status timelines writes dropped. Off, the summary
    # and status filters still recompute them on demand (and summary?as_of the goals
    # without a timeline; python -m app progress timelines builds them).
    backlog_refresher: bool = True
    # ``review``: an analyst's or reviewer's figures are pending until a reviewer of their
    # region approves them (POST /api/v1/observations/review); an admin's are published
    # at once. ``immediate``: every figure is published when it is recorded.
    publish_mode: Literal["immediate", "review"] = "immediate"
    # Worker processes of ``python -m app serve`` (its --workers overrides it).
    workers: int = 1
    # ``serve --workers N`` (N > 1): uvicorn's supervisor pings each worker and kills one
    # that does not answer within this many seconds. Its default, 5, kills a worker busy
    # with a long request (a national summary as of a past moment, an export); the ping
    # is answered by the worker's main thread, which such a request can hold.
    worker_healthcheck_seconds: int = 300
    # A Postgres hot standby of DATABASE_URL for reads (app/read_replica.py); empty: none.
    # A standby further behind than the limit is not read from (reads go to the primary);
    # its lag is checked every read_replica_check_seconds / 2, and a check older than
    # read_replica_check_seconds counts as none. A reader who wrote waits up to
    # read_after_wait_ms for the standby to replay the write, else reads the primary.
    database_read_url: str = ""
    read_replica_max_lag_seconds: float = 2.0
    read_replica_check_seconds: float = 0.5
    read_after_wait_ms: int = 250


@lru_cache
def get_settings() -> Settings:
    return Settings()

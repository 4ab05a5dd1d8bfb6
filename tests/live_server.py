"""The app served by uvicorn on a thread of the test process, for tests that need a real
HTTP server (a browser, a generated client): started, waited for, stopped."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from app.main import create_app
from app.settings import Settings
from tests.reliability.support import free_port


@contextmanager
def serving(settings: Settings, timeout: float = 30) -> Iterator[str]:
    """The app of ``settings`` on 127.0.0.1 and a free port; its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"the app did not start within {timeout:.0f} s")
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)

"""A worker's background thread: started with the app, told to stop with it."""

from __future__ import annotations

import threading


class BackgroundThread:
    """A daemon thread running ``_run`` until ``stop``; nobody waits for it at shutdown
    (it ends after its current step). ``_run`` polls ``_stop`` to know when to end."""

    thread_name = "background"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError

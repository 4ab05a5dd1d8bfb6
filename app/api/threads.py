"""One trip to a worker thread for a hot read, leaner than the framework's.

FastAPI runs a plain ``def`` route in anyio's threadpool, wrapped in its own machinery;
a generator dependency (``SessionDep``) adds an exit stack around it. Measured at scale
1.0 on 2 cores (bench/RESULTS.md, #19): an empty ``def`` route costs 1.0 ms of CPU a
request, the same ``async def`` route handing its work to a plain executor 0.52 ms. The
reads clients make most (a goal's detail, a page of goals) take this trip: their whole
work, session included, runs in one call (``in_thread``).

The trip is a job on a queue that worker threads take, and the result set on an asyncio
future from the thread (``call_soon_threadsafe``): an executor's futures, chained to
asyncio's, cost a tenth of a scorecard's CPU in locks and callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import anyio

P = ParamSpec("P")
T = TypeVar("T")

# As many threads as anyio's default limit for the framework's own threadpool.
MAX_THREADS = 40


class _Workers:
    """Daemon threads taking jobs from one queue, started as needed up to ``limit``: a job
    goes to an idle thread if there is one (reserved here, so that a burst of jobs does not
    all count on the same idle thread), else to a new one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.started = 0
        self.idle = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self.lock:
            if self.idle:
                self.idle -= 1
            elif self.started < self.limit:
                self.started += 1
                name = f"reads_{self.started}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
        self.jobs.put(job)

    def _work(self) -> None:
        while True:
            self.jobs.get()()
            with self.lock:
                self.idle += 1


_WORKERS = _Workers(MAX_THREADS)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


async def in_thread(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)`` in a worker thread, with the caller's context variables.
    Not cancellable, as the framework's trip is not: the request's cleanup must not run
    while the thread still uses what it cleans up."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def job() -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = context.run(work, *args, **kwargs)
        except BaseException as raised:  # handed to the awaiting task
            error = raised
        with contextlib.suppress(RuntimeError):  # the loop closed (the server stopped)
            loop.call_soon_threadsafe(_settle, future, result, error)

    _WORKERS.submit(job)
    with anyio.CancelScope(shield=True):
        result = await future
    return result

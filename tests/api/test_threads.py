"""The lean trip to a worker thread (app/api/threads.py): the work runs off the event loop
with the caller's context variables, its result or its exception comes back, and the
awaiting task cannot be cancelled while the thread still runs."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import anyio
import pytest

from app.api.threads import in_thread

REQUEST = contextvars.ContextVar("request", default="none")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # as uvicorn runs the app


@pytest.mark.anyio
async def test_the_work_runs_in_another_thread_with_the_callers_context() -> None:
    REQUEST.set("r-1")
    loop_thread = threading.get_ident()

    def work(a: int, *, b: int) -> tuple[int, str, bool]:
        return a + b, REQUEST.get(), threading.get_ident() != loop_thread

    assert await in_thread(work, 2, b=3) == (5, "r-1", True)


@pytest.mark.anyio
async def test_an_exception_in_the_thread_is_raised_to_the_caller() -> None:
    def fail() -> None:
        raise LookupError("no such goal")

    with pytest.raises(LookupError, match="no such goal"):
        await in_thread(fail)


@pytest.mark.anyio
async def test_many_trips_at_once_all_come_back() -> None:
    gate = threading.Barrier(8, timeout=5)

    def meet(i: int) -> int:
        gate.wait()  # only if 8 run at once: the pool grows to the work waiting
        return i * i

    assert await asyncio.gather(*(in_thread(meet, i) for i in range(8))) == [
        i * i for i in range(8)
    ]


@pytest.mark.anyio
async def test_a_cancelled_caller_waits_for_its_thread() -> None:
    """As Starlette cancels a request whose client went away: through a cancel scope."""
    started, release = threading.Event(), threading.Event()
    events: list[str] = []

    def slow() -> None:
        started.set()
        release.wait(5)
        events.append("thread done")

    async def request() -> None:
        await in_thread(slow)
        events.append("request went on")

    async with anyio.create_task_group() as group:
        group.start_soon(request)
        await anyio.to_thread.run_sync(started.wait, 5)
        group.cancel_scope.cancel()
        threading.Timer(0.2, release.set).start()
    # The cancellation took effect only once the thread was done, at the next checkpoint.
    assert events == ["thread done", "request went on"]

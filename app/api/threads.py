"""One trip to a worker thread for a hot read, leaner than the framework's.

FastAPI runs a plain ``def`` route in anyio's threadpool, wrapped in its own machinery;
a generator dependency (``SessionDep``) adds an exit stack around it. Measured at scale
1.0 on 2 cores (bench/RESULTS.md, #19): an empty ``def`` route costs 1.0 ms of CPU a
request, the same ``async def`` route handing its work to a plain executor 0.52 ms. The
single goal (``GET /api/v1/targets/{id}``), the read clients make most, takes this trip:
its whole work, session included, runs in one call (``in_thread``).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

import anyio

P = ParamSpec("P")
T = TypeVar("T")

# As many threads as anyio's default limit for the framework's own threadpool.
_EXECUTOR = ThreadPoolExecutor(max_workers=40, thread_name_prefix="reads")


async def in_thread(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)`` in a worker thread, with the caller's context variables.
    Not cancellable, as the framework's trip is not: the request's cleanup must not run
    while the thread still uses what it cleans up."""
    loop = asyncio.get_running_loop()
    call = partial(contextvars.copy_context().run, work, *args, **kwargs)
    with anyio.CancelScope(shield=True):
        result = await loop.run_in_executor(_EXECUTOR, call)
    return result

"""One page, one read: what a page build asks for twice is read from the database once.

:func:`read_scope` opens a scope for the build of one answer (``http_layer.read_snapshot``
opens it with the read transaction); inside it, a loader decorated with :func:`once_per_read`
answers a second call with the same arguments from the first, without a query. Outside a
scope (writes, the CLI) the loaders read every time. What they return is shared by the callers
of one scope: they must not change it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("thidua_read_memo", default=None)


@contextmanager
def read_scope() -> Iterator[None]:
    """A scope of reads (nested scopes share the outer one)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once_per_read(loader: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    @wraps(loader)
    async def once(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _memo.get()
        if memo is None:
            return await loader(*args, **kwargs)
        key = (loader, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = await loader(*args, **kwargs)
        return memo[key]  # type: ignore[no-any-return]

    return once

"""The cyclic garbage collector held off while a batch of work builds many long-lived objects.

Reconciling a story allocates tens of thousands of records (claims, groups, statements, findings) that
all live until the story is stored. CPython's collector runs on allocation counts, so it walks those
survivors again and again without freeing any: measured on ``bench/reconcile_scale.py``, half of the
reconcile's CPU time. The reconciler makes no reference cycles (``gc.collect()`` after a reconcile
with the collector off finds nothing), so reference counting frees everything it drops, and pausing
the collector costs no memory.

The pause nests and is shared between threads: the collector is off while any pause is open and back
on (if it was on before the first) when the last one closes. A process forked inside a pause (a pool
worker) starts with none open and the collector as it was before.
"""

from __future__ import annotations

import functools
import gc
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

__all__ = ["gc_paused", "without_gc"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_lock = threading.Lock()
_open_pauses = 0
_enabled_before = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off inside the block (reference counting still frees what is dropped)."""
    global _open_pauses, _enabled_before
    with _lock:
        if _open_pauses == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _open_pauses += 1
    try:
        yield
    finally:
        with _lock:
            _open_pauses -= 1
            if _open_pauses == 0 and _enabled_before:
                gc.enable()


def without_gc(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """``func`` run inside :func:`gc_paused`."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with gc_paused():
            return func(*args, **kwargs)

    return wrapper


def _after_fork_in_child() -> None:
    """The child holds none of its parent's pauses: it would never close them."""
    global _lock, _open_pauses
    _lock = threading.Lock()  # another thread of the parent may have held it at the fork
    if _open_pauses and _enabled_before:
        gc.enable()
    _open_pauses = 0


os.register_at_fork(after_in_child=_after_fork_in_child)

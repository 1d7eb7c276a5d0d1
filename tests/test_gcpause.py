"""The collector pause used around a story's reconcile: nests, and restores the collector's state."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from crosscount.gcpause import gc_paused, without_gc


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_keep_it_off_until_the_outer_one_closes() -> None:
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_an_exception_still_turns_it_back_on() -> None:
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_wrapped_function_runs_paused_and_returns_its_value() -> None:
    @without_gc
    def state(x: int) -> tuple[bool, int]:
        return gc.isenabled(), x + 1

    assert state(1) == (False, 2)
    assert gc.isenabled()


def test_a_process_forked_inside_a_pause_starts_with_the_collector_on() -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    with gc_paused(), ctx.Pool(1) as pool:
        in_child = pool.apply(_child_state)
    assert in_child == (True, False, True)


def _child_state() -> tuple[bool, bool, bool]:
    """The collector in a forked child: on at first, off in a pause of its own, on again after it."""
    before = gc.isenabled()
    with gc_paused():
        inside = gc.isenabled()
    return before, inside, gc.isenabled()

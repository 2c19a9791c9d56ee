"""The collector helpers every stage uses: nesting must never thaw or resume early."""

from __future__ import annotations

import gc

import pytest

from generator import collector


@pytest.fixture(autouse=True)
def _restore_collector():
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()


def test_inner_frozen_block_keeps_what_the_outer_one_froze() -> None:
    # The build freezes its site, then each render pool freezes again around its fork:
    # the pool's end must not hand the site back to the collector mid-build.
    with collector.frozen():
        outer = gc.get_freeze_count()
        assert outer > 0
        with collector.frozen():
            pass
        assert gc.get_freeze_count() >= outer
    assert gc.get_freeze_count() == 0


def test_frozen_thaws_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector.frozen():
        raise RuntimeError("模板错误")
    assert gc.get_freeze_count() == 0


def test_paused_restores_the_state_it_found() -> None:
    gc.enable()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()      # the inner block does not resume the outer one's pause
    assert gc.isenabled()
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()          # off before, off after


def test_paused_as_a_decorator_pauses_each_call() -> None:
    gc.enable()
    seen: list[bool] = []

    @collector.paused()
    def index() -> None:
        seen.append(gc.isenabled())

    index()
    index()
    assert seen == [False, False]
    assert gc.isenabled()

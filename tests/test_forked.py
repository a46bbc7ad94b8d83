"""``plugins.forked.share``: work shared with a forked copy of this process."""

from __future__ import annotations

import os

import pytest

from plugins.forked import share


def test_both_results_come_back_and_the_copy_sees_this_process_memory():
    built = {"n": 21}  # made before the fork: the copy uses it without pickling it
    mine, theirs = share(lambda: os.getpid(), lambda: (os.getpid(), built["n"] * 2))
    assert mine == os.getpid() and theirs[0] != mine and theirs[1] == 42


@pytest.fixture
def forks(monkeypatch):
    """The pids of the copies ``share`` forks."""
    pids = []
    real = os.fork

    def fork():
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return pids


def test_a_failing_copy_gives_none_and_is_reaped(forks):
    def fail():
        raise RuntimeError("copy fails")

    assert share(lambda: "here", fail) == ("here", None)
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)  # already waited for: nothing left behind


def test_an_error_here_still_waits_for_the_copy(forks):
    def boom():
        raise ValueError("here fails")

    with pytest.raises(ValueError):
        share(boom, lambda: 1)
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)


def test_start_runs_the_copy_at_the_niceness_asked_and_result_collects_it(forks):
    from plugins.forked import start

    job = start(lambda: (os.getpid(), os.nice(0)), nice=7)
    pid, niceness = job.result()
    assert pid == forks[0] != os.getpid()
    assert niceness == min(19, os.nice(0) + 7)  # the copy only: this process keeps its priority
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)


def test_a_copy_not_done_within_the_grace_period_is_stopped_and_gives_none(forks):
    import time

    from plugins.forked import start

    job = start(lambda: time.sleep(30) or "late")
    t = time.monotonic()
    assert job.result(grace=0.2) is None
    assert time.monotonic() - t < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)  # stopped and reaped
    assert start(lambda: "soon").result(grace=30) == "soon"


def test_a_copy_sending_more_than_a_pipe_holds_finishes_while_this_process_is_busy(forks):
    """What the copy sends is read as it comes: a copy sending megabytes while this process does
    something else (waits for Pagefind) does not stall on a full pipe."""
    import time

    from plugins.forked import start

    job = start(lambda: (bytes([i]) * 200_000 for i in range(20)), stream=True)
    time.sleep(2)  # busy elsewhere, not reading
    items, finished = job.items(grace=0)
    assert finished and [i[:1] for i in items] == [bytes([i]) for i in range(20)]

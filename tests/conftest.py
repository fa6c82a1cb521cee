"""Checks over the whole test run."""

from __future__ import annotations

import os
import sys
import threading

import pytest

_LEAKED = pytest.StashKey[list[str]]()


def _leaked_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate()
            if thread is not threading.main_thread() and thread.is_alive()
            and not thread.daemon]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A database left open keeps its worker threads, which are not daemons: the
    interpreter would wait for them forever after the last test, and CI would time out
    with every test passed. Fail the run instead, naming the threads."""
    leaked = _leaked_threads()
    session.config.stash[_LEAKED] = leaked
    if leaked:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    leaked = config.stash.get(_LEAKED, [])
    if leaked:
        print(f"\nthreads left running after the tests (close what started them): "
              f"{', '.join(leaked)}", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(int(pytest.ExitCode.TESTS_FAILED))

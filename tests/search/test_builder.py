"""The search engine built in a child process, handed back, stopped, or built here."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from bot.kb.loader import load_knowledge_base
from bot.kb.model import KnowledgeBase
from bot.search import builder
from bot.search.builder import ChildBuild, ChildBuildFailed, ParallelBuild
from bot.search.engine import PARTS, SearchEngine

QUESTIONS = ("патент чанд пул", "меня держат в аэропорту уже 10 часов", "zapret na vezd")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def test_children_build_the_same_engine(kb: KnowledgeBase) -> None:
    here = SearchEngine.build(kb)
    whole = SearchEngine(*ChildBuild(kb).result()[0])
    side_by_side = SearchEngine._assemble(*ParallelBuild(kb, PARTS, side_by_side=True).result())
    one_child = SearchEngine._assemble(*ParallelBuild(kb, PARTS, side_by_side=False).result())
    for question in QUESTIONS:
        assert whole.search(question) == here.search(question)
        assert side_by_side.search(question) == here.search(question)
        assert one_child.search(question) == here.search(question)


@pytest.mark.parametrize(("cores", "available_kib", "expected"), [
    (2, 2_000_000, True), (2, 300_000, False), (1, 2_000_000, False), (4, None, True)])
def test_side_by_side_only_with_two_cores_and_the_memory_for_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int,
        available_kib: int | None, expected: bool) -> None:
    monkeypatch.setattr(builder.os, "sched_getaffinity", lambda _pid: set(range(cores)))
    meminfo = tmp_path / "meminfo"
    if available_kib is not None:
        meminfo.write_text(f"MemTotal: 4000000 kB\nMemAvailable: {available_kib} kB\n")
    assert builder.room_for_side_by_side(str(meminfo)) is expected


def test_one_failing_part_fails_the_build_and_stops_the_other(kb: KnowledgeBase) -> None:
    build = ParallelBuild(kb, ("no such part", PARTS[0]), side_by_side=True)
    with pytest.raises(RuntimeError, match="no such part"):
        build.result()
    assert not [p for p in multiprocessing.active_children() if p.name == "search-build"]


def test_a_cancelled_child_gives_no_result(kb: KnowledgeBase) -> None:
    child = ChildBuild(kb)
    child.cancel()
    with pytest.raises(ChildBuildFailed):
        child.result()


def test_without_child_processes_the_engine_is_built_here(
        kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def no_processes(method: str) -> None:
        raise OSError("no processes in this sandbox")

    monkeypatch.setattr(builder.multiprocessing, "get_context", no_processes)
    engine = SearchEngine.build_isolated(kb)
    assert engine.search(QUESTIONS[0]).hits
    assert "built in the bot's own process" in caplog.text
    with pytest.raises(ChildBuildFailed):  # unless the bot is stopping
        SearchEngine.build_isolated(kb, fall_back=lambda: False)


def test_stopping_during_a_background_build(kb: KnowledgeBase) -> None:
    engine = SearchEngine.build_in_background(kb)
    assert engine.stop_building(timeout=30)  # the child is stopped, not waited for
    with pytest.raises(RuntimeError, match="could not be built"):
        engine.search(QUESTIONS[0])
    assert not [p for p in multiprocessing.active_children() if p.name == "search-build"]


@pytest.mark.parametrize("cut_off", [True, False])
def test_a_child_whose_bot_ends_while_sending_ends_quietly(
        kb: KnowledgeBase, capfd: pytest.CaptureFixture[str], cut_off: bool) -> None:
    """A bot killed while it sends the knowledge base (kill -9 at start) must not leave a
    traceback in its log: the child sees a cut-off message, or none, and just exits."""
    import os
    import pickle

    context = multiprocessing.get_context("spawn")
    source, kb_sender = context.Pipe(duplex=False)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=builder._build, args=(source, sender, os.getpid()))
    child.start()
    source.close()
    sender.close()
    if cut_off:
        kb_sender.send_bytes(pickle.dumps(kb)[:1000])
    kb_sender.close()
    child.join(timeout=60)
    assert child.exitcode == 0
    with pytest.raises(EOFError):  # no parts were sent
        receiver.recv()
    assert "Traceback" not in capfd.readouterr().err


def test_the_arrays_arrive_without_a_second_copy() -> None:
    """The bot's peak memory at the hand-over is what it keeps, not twice the arrays: each
    array is read from the pipe straight into the buffer that becomes its memory."""
    import threading
    import tracemalloc

    import numpy as np

    big = np.arange(2_500_000, dtype=np.float64)  # 20 MB
    parts = (big, {"ids": ["a", "b"]}, np.zeros(0, dtype=np.int32), big[::2].copy())
    receiver, sender = multiprocessing.Pipe(duplex=False)
    sending = threading.Thread(target=builder.send_parts, args=(sender, parts))
    tracemalloc.start()
    try:
        sending.start()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        received = builder.receive_parts(receiver)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
        sending.join()
    size = big.nbytes + parts[3].nbytes
    assert peak < 1.2 * size  # one message holding everything: about twice
    assert np.array_equal(received[0], big) and np.array_equal(received[3], parts[3])
    assert received[1] == {"ids": ["a", "b"]} and received[2].shape == (0,)

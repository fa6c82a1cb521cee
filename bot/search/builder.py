"""Build the search engine in a child process, so that the bot's own memory stays small.

Building allocates hundreds of thousands of short-lived objects. In the bot's process the
few that outlive the build (cached stems, interned strings) stay scattered over the
allocator's pages and pin them: the bot kept about 45 MiB it no longer used, whatever was
freed or trimmed. A child process (spawned: a fresh interpreter that inherits nothing but
the environment) builds the parts, sends them back over a pipe and exits, taking all of
that with it; the bot receives compact copies. The build's CPU also stays off the bot's
event loop (the child has its own interpreter lock), so the bot answers at full speed
while the index is built.

The parts travel with ``pickle`` between the bot and the child it started, over a private
pipe: nothing from outside is ever unpickled. Where a child cannot be started (a sandbox
without ``fork``/``exec``), the caller builds in its own process instead.
"""

from __future__ import annotations

import contextlib
import copyreg
import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
from multiprocessing.connection import Connection
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.kb.model import KnowledgeBase
    from bot.search.cache import BuildCache

    SavedAs = tuple[BuildCache, str]  # where a child saves what it built, under which key

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # prctl option (Linux)
CHUNK = 1 << 20  # bytes of an array per message: the receiver's transient copy
WHOLE = "whole"  # build every part in one child
SIDE_BY_SIDE_KIB = 640 * 1024  # free memory for two builds at once, with room to spare


def _mapping_proxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def _reduce_mapping_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, tuple[Any, ...]]:
    return _mapping_proxy, (dict(proxy),)


# The knowledge base keeps its mappings read-only; the child needs a copy of it.
copyreg.pickle(MappingProxyType, _reduce_mapping_proxy)  # type: ignore[arg-type]


class ChildBuildFailed(Exception):
    """The child could not be started, or ended without sending the parts."""


def _die_with(parent: int) -> None:
    """End this child when the bot ends, even by ``kill -9`` (Linux: a parent-death signal;
    elsewhere the send below fails and the child ends then)."""
    with contextlib.suppress(Exception):  # no prctl (macOS) or no CDLL(None) (Windows)
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the bot ended before the signal was set
        os._exit(0)


def _build(source: Connection, connection: Connection, parent: int,
           parts: tuple[str, ...] = (WHOLE,), cache: SavedAs | None = None) -> None:
    """The child's whole life: receive the knowledge base, build (the whole engine or
    parts of it, one after the other: ``SearchEngine.build_parts``), save each part in
    the cache if there is one, send, exit."""
    _die_with(parent)
    try:
        kb = source.recv()
    except (EOFError, OSError, pickle.UnpicklingError):
        os._exit(0)  # the bot ended while it was sending: nobody to build for
    source.close()
    from bot.search.engine import SearchEngine

    try:
        built = SearchEngine.build_parts(kb, parts)
        if cache is not None:
            store, key = cache
            for part, value in zip(parts, built, strict=True):
                store.save(key, part, value)
    except Exception as error:  # sent as text: an exception object may not pickle
        with contextlib.suppress(OSError):  # the bot is gone: nobody to tell
            connection.send(("error", f"{type(error).__name__}: {error}"))
    else:
        with contextlib.suppress(OSError):
            send_parts(connection, built)
    connection.close()


def pickled_out_of_band(value: Any) -> tuple[bytes, list[memoryview]]:
    """``value`` as a small pickle and the arrays' memory beside it (pickle protocol 5, out
    of band, not copied), for a reader that puts each array straight into its final place."""
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    return head, [buffer.raw() for buffer in buffers]


def send_parts(connection: Connection, parts: tuple[Any, ...]) -> None:
    """The parts as a small pickle and, each in its own message, the arrays' memory
    (``pickled_out_of_band``), so that the receiver can read every array straight into
    its final place (``receive_parts``)."""
    head, views = pickled_out_of_band(parts)
    connection.send(("ok", [view.nbytes for view in views]))
    connection.send_bytes(head)
    for view in views:
        for start in range(0, view.nbytes, CHUNK):
            connection.send_bytes(view, start, min(CHUNK, view.nbytes - start))


def receive_parts(connection: Connection) -> tuple[Any, ...]:
    """What ``send_parts`` sent. The arrays (about 23 of the 26 MiB) are read into buffers
    that become their memory, a chunk at a time (a message is read whole before it is
    copied out): unpickled from one message, they were copied out of it, and the bot's
    peak memory was the size of the parts higher than what it keeps."""
    status, payload = connection.recv()
    if status != "ok":
        raise RuntimeError(f"building the search index failed: {payload}")
    head = connection.recv_bytes()
    buffers = []
    for size in payload:
        buffer = bytearray(size)
        filled = 0
        while filled < size:  # a longer message raises BufferTooShort
            filled += connection.recv_bytes_into(buffer, filled)
        buffers.append(buffer)
    return tuple(pickle.loads(head, buffers=buffers))


class ChildBuild:
    """One build in a spawned child process."""

    def __init__(self, kb: KnowledgeBase, parts: tuple[str, ...] = (WHOLE,),
                 cache: SavedAs | None = None) -> None:
        try:
            context = multiprocessing.get_context("spawn")
            receiver, sender = context.Pipe(duplex=False)
            source, kb_sender = context.Pipe(duplex=False)
        except Exception as error:
            raise ChildBuildFailed(f"cannot start a child process: {error}") from error
        # The knowledge base is sent over a pipe of our own once the child runs, not as an
        # argument of the spawn: the interpreter's start-up reads its arguments before any
        # of our code, and a bot killed half-way through writing them (kill -9 at start)
        # left a child printing "pickle data was truncated" into the bot's log. Now the
        # start-up data is small, and a cut-off knowledge base ends the child quietly.
        try:
            self._process = context.Process(target=_build,
                                            args=(source, sender, os.getpid(), parts, cache),
                                            name="search-build", daemon=True)
            self._process.start()
        except Exception as error:  # no processes here
            receiver.close()
            kb_sender.close()
            raise ChildBuildFailed(f"cannot start a child process: {error}") from error
        finally:
            sender.close()  # the child has its own copies; EOF reaches us if it dies
            source.close()
        self._receiver = receiver
        try:
            kb_sender.send(kb)
        except Exception as error:  # the child died, or the knowledge base won't pickle
            self.cancel()
            receiver.close()
            raise ChildBuildFailed(f"cannot send the knowledge base: {error}") from error
        finally:
            kb_sender.close()

    def result(self) -> tuple[Any, ...]:
        """What ``SearchEngine.build_parts`` gave for each part asked, in order; blocks
        until the child sends it."""
        try:
            return receive_parts(self._receiver)
        except (EOFError, OSError) as error:
            raise ChildBuildFailed("the child process ended without a result") from error
        finally:
            self._receiver.close()
            self._process.join(timeout=10)

    def cancel(self) -> None:
        """Stop the child (the bot is stopping before the build ended)."""
        if self._process.is_alive():
            self._process.terminate()


class ParallelBuild:
    """The engine's parts built side by side, one child each, where the machine has two
    cores and the memory for two builds at once (the retrieval indexes and the learnt
    models take about the same time: the build takes the longer of the two instead of
    their sum); otherwise one child builds them one after the other. Any child failing
    fails the whole build."""

    def __init__(self, kb: KnowledgeBase, parts: tuple[str, ...],
                 side_by_side: bool | None = None, cache: SavedAs | None = None) -> None:
        if side_by_side is None:
            side_by_side = room_for_side_by_side()
        self._children: list[ChildBuild] = []
        try:
            for group in ([(part,) for part in parts] if side_by_side else [parts]):
                self._children.append(ChildBuild(kb, group, cache))
        except ChildBuildFailed:
            self.cancel()
            raise
        log.debug("search index: building in %d child process(es)", len(self._children))

    def result(self) -> list[Any]:
        """Each part's result, in the order asked; blocks until all are built."""
        results: list[Any] = []
        done = 0
        try:
            for child in self._children:
                results.extend(child.result())
                done += 1
        except (ChildBuildFailed, RuntimeError):
            for other in self._children[done + 1:]:  # stopped, pipe closed, joined
                other.cancel()
                with contextlib.suppress(ChildBuildFailed, RuntimeError):
                    other.result()
            raise
        return results

    def cancel(self) -> None:
        for child in self._children:
            child.cancel()


def room_for_side_by_side(meminfo: str = "/proc/meminfo") -> bool:
    """Two cores for this process, and memory for two builds at once (each child peaks
    at about 170–215 MiB; BENCHMARKS.md). Where the free memory cannot be read (not
    Linux), the cores decide."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    try:
        with open(meminfo, encoding="ascii") as fh:
            available = next(int(line.split()[1]) for line in fh
                             if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return True
    return available >= SIDE_BY_SIDE_KIB

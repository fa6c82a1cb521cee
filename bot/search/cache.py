"""The built search engine kept on disk, so that a restart does not build it again.

Building takes about 4.5 s on two cores and 7–7.5 s on one (a small VPS); reading the built
parts back takes about 0.15 s. The files (one per part) are named after a hash of
everything the build reads (the knowledge base, the out-of-scope and "happening now"
examples, the search code, the Python and library versions), so any change to one of them
builds anew, and the new files replace the old.

Only this bot may write what it unpickles: each file carries an HMAC-SHA256 over all of
it, keyed by a key derived from the report key (``bot.crypto``), and nothing is
unpickled before the tag checks. A file someone else wrote, cut short by a crash or made
by another key is ignored and removed, and the engine is built as without a cache.

Layout: magic, tag, then (covered by the tag) the cache key, the pickle's head and the
arrays' memory out of band (pickle protocol 5), so that each array is read straight into
the buffer that becomes it and the bot's peak memory stays that of the parts.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.metadata
import logging
import os
import pickle
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import paths
from bot.kb.model import KnowledgeBase
from bot.search.builder import pickled_out_of_band

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

MAGIC = b"HAMROH-SEARCH-1\n"
SUFFIX = ".engine"
CHUNK = 1 << 20
STALE_SECONDS = 600
_TAG = hashlib.sha256().digest_size
_SIZES = struct.Struct("<QI")  # head bytes, number of buffers
_SIZE = struct.Struct("<Q")
_SEARCH_CODE = Path(__file__).resolve().parent
_LIBRARIES = ("numpy", "PyStemmer")


def cache_key(kb: KnowledgeBase, knowledge_files: tuple[Path, ...]) -> str:
    """A hash of everything a build reads: equal keys build equal engines."""
    digest = hashlib.sha256(MAGIC)
    digest.update(sys.version.encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)};".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=?;".encode())
    for source in sorted(_SEARCH_CODE.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    # Frozen dataclasses of tuples have a stable repr; one article at a time keeps the
    # bot's memory from a megabyte-long string.
    digest.update(repr(kb.categories).encode())
    for article_id, article in kb.articles.items():
        digest.update(article_id.encode() + b"\0" + repr(article).encode() + b"\0")
    for path in knowledge_files:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<absent>")
    return digest.hexdigest()


class BuildCache:
    """One directory holding the engine's parts for one cache key at a time, a file per
    part: each is written by the child process that built it (``bot.search.builder``),
    so that pickling them never raises the bot's own memory."""

    def __init__(self, directory: Path, secret: bytes) -> None:
        self.directory = directory
        self._secret = secret

    @classmethod
    def of(cls, services: Services) -> BuildCache:
        """The bot's cache: ``DATA_DIR/search-cache``, its key derived from the report key."""
        keys = services.crypto_keys()
        return cls(services.settings.data_dir / "search-cache",
                   keys.keyed_label(b"search-cache", b"v1").encode())

    @staticmethod
    def knowledge_files() -> tuple[Path, ...]:
        from bot.search.classifier import OUT_OF_SCOPE_FILE
        from bot.search.urgency import EXAMPLES_FILE

        return (paths.knowledge_dir() / OUT_OF_SCOPE_FILE,
                paths.knowledge_dir() / EXAMPLES_FILE)

    def key(self, kb: KnowledgeBase) -> str:
        return cache_key(kb, self.knowledge_files())

    def _path(self, key: str, part: str) -> Path:
        return self.directory / f"{key}.{part}{SUFFIX}"

    def load(self, key: str, parts: tuple[str, ...]) -> tuple[Any, ...] | None:
        """Each of ``parts`` as saved under ``key``, or None if one is missing or fails
        its tag (such a file is removed)."""
        loaded = []
        for part in parts:
            path = self._path(key, part)
            try:
                with path.open("rb") as fh:
                    loaded.append(self._read(fh, f"{key}.{part}"))
            except FileNotFoundError:
                return None
            except (OSError, ValueError, struct.error, pickle.UnpicklingError,
                    EOFError) as error:
                log.warning("search cache ignored (%s); building the index",
                            type(error).__name__)
                path.unlink(missing_ok=True)
                return None
        return tuple(loaded)

    def _read(self, fh: Any, name: str) -> Any:
        if fh.read(len(MAGIC)) != MAGIC:
            raise ValueError("not a search cache file")
        tag = fh.read(_TAG)
        mac = hmac.new(self._secret, digestmod=hashlib.sha256)
        stored_key = _read_exact(fh, len(name), mac)
        head_size, count = _SIZES.unpack(_read_exact(fh, _SIZES.size, mac))
        left = os.fstat(fh.fileno()).st_size - fh.tell()
        if count * _SIZE.size > left:  # sizes not yet checked: allocate nothing for them
            raise ValueError("search cache cut short")
        sizes = [_SIZE.unpack(_read_exact(fh, _SIZE.size, mac))[0] for _ in range(count)]
        if head_size + sum(sizes) != left - count * _SIZE.size:
            raise ValueError("search cache of the wrong length")
        head = _read_exact(fh, head_size, mac)
        buffers = []
        for size in sizes:
            buffer = bytearray(size)
            view = memoryview(buffer)
            for start in range(0, size, CHUNK):
                chunk = view[start:start + CHUNK]
                if fh.readinto(chunk) != len(chunk):
                    raise EOFError("search cache cut short")
                mac.update(chunk)
            buffers.append(buffer)
        if not hmac.compare_digest(tag, mac.digest()) or stored_key != name.encode():
            raise ValueError("search cache not written by this bot")
        return pickle.loads(head, buffers=buffers)

    def save(self, key: str, part: str, value: Any) -> None:
        """Write one part under ``key`` (atomically: a file appears whole or not at all)
        and remove the files of other keys. A failure only costs the next start a build:
        it is logged, not raised."""
        head, views = pickled_out_of_band(value)
        fields = [f"{key}.{part}".encode(), _SIZES.pack(len(head), len(views)),
                  *(_SIZE.pack(view.nbytes) for view in views), head]
        mac = hmac.new(self._secret, digestmod=hashlib.sha256)
        for piece in (*fields, *views):
            mac.update(piece)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as fh:
                    fh.write(MAGIC + mac.digest())
                    for piece in (*fields, *views):
                        fh.write(piece)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(temporary, self._path(key, part))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            for other in self.directory.glob(f"*{SUFFIX}"):
                if not other.name.startswith(f"{key}."):  # an older knowledge base
                    other.unlink(missing_ok=True)
            for other in self.directory.glob("*.tmp"):  # a write cut off by a crash
                with contextlib.suppress(OSError):  # (not the other child's, under way)
                    if time.time() - other.stat().st_mtime > STALE_SECONDS:
                        other.unlink()
        except OSError as error:
            log.warning("search cache not saved (%s)", type(error).__name__)


def _read_exact(fh: Any, size: int, mac: Any) -> bytes:
    data = fh.read(size)
    if len(data) != size:
        raise EOFError("search cache cut short")
    mac.update(data)
    return data

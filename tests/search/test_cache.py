"""The built engine kept on disk: read back only if this bot wrote it for this very
knowledge base and code."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest

from bot.kb.model import KnowledgeBase
from bot.search import engine as engine_module
from bot.search.cache import SUFFIX, BuildCache, cache_key
from bot.search.engine import SearchEngine

SECRET = b"0" * 32
PARTS = ({"vocabulary": {"патент": 3}, "labels": ("a", "b")},
         np.arange(300_000, dtype=np.float32).reshape(1000, 300))


class RemovesFile:
    """Unpickling this removes a file: a stand-in for code someone slipped into a cache."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.remove, (str(self.path),)


def _same(loaded: tuple[object, ...]) -> bool:
    return loaded[0] == PARTS[0] and np.array_equal(loaded[1], PARTS[1])


def test_parts_saved_are_read_back(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache", SECRET)
    cache.save("k1", "a", PARTS)
    assert _same(cache.load("k1", ("a",))[0])
    assert cache.load("k2", ("a",)) is None  # another knowledge base or code: nothing
    assert cache.load("k1", ("a", "b")) is None  # every part or none


def test_a_file_not_written_with_this_key_is_never_unpickled(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    canary.write_text("still here")
    BuildCache(tmp_path / "cache", b"another bot's key").save("k", "a", RemovesFile(canary))
    assert BuildCache(tmp_path / "cache", SECRET).load("k", ("a",)) is None
    assert canary.exists()
    assert not list((tmp_path / "cache").glob(f"*{SUFFIX}"))  # removed, rebuilt next
    # The same file is unpickled by the key that wrote it: the check above is what stopped it.
    BuildCache(tmp_path / "cache", b"another bot's key").save("k", "a", RemovesFile(canary))
    BuildCache(tmp_path / "cache", b"another bot's key").load("k", ("a",))
    assert not canary.exists()


@pytest.mark.parametrize("damage", ["flip a byte", "cut short", "append", "empty"])
def test_a_damaged_file_is_ignored_and_removed(tmp_path: Path, damage: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    cache = BuildCache(tmp_path, SECRET)
    cache.save("k", "a", PARTS)
    path = tmp_path / f"k.a{SUFFIX}"
    data = bytearray(path.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 1
    elif damage == "cut short":
        data = data[: len(data) - 100]
    elif damage == "append":
        data += b"\0"
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    assert cache.load("k", ("a",)) is None
    assert not path.exists()
    assert "search cache ignored" in caplog.text


def test_a_forged_size_allocates_nothing(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path, SECRET)
    cache.save("k", "a", PARTS)
    path = tmp_path / f"k.a{SUFFIX}"
    data = bytearray(path.read_bytes())
    header = len(b"HAMROH-SEARCH-1\n") + 32 + len("k.a")
    data[header + 8: header + 12] = (2**31).to_bytes(4, "little")  # buffer count
    path.write_bytes(bytes(data))
    assert cache.load("k", ("a",)) is None


def test_saving_replaces_the_older_key_and_a_failure_is_only_logged(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = BuildCache(tmp_path / "cache", SECRET)
    cache.save("old", "a", PARTS)
    crashed, writing = tmp_path / "cache" / "crashed.tmp", tmp_path / "cache" / "writing.tmp"
    crashed.write_bytes(b"half")
    os.utime(crashed, (1, 1))
    writing.write_bytes(b"the other child's part, under way")
    cache.save("new", "a", PARTS)
    cache.save("new", "b", PARTS)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        f"new.a{SUFFIX}", f"new.b{SUFFIX}", "writing.tmp"]
    (tmp_path / "file").write_text("not a directory")
    BuildCache(tmp_path / "file" / "cache", SECRET).save("k", "a", PARTS)
    assert "search cache not saved" in caplog.text


def test_the_key_follows_the_examples_and_the_knowledge_files(
        fixture_kb: KnowledgeBase, tmp_path: Path) -> None:
    files = (tmp_path / "out_of_scope_examples.jsonl",)
    files[0].write_text('{"q": "weather", "lang": "en"}\n')
    key = cache_key(fixture_kb, files)
    assert cache_key(fixture_kb, files) == key
    article = next(iter(fixture_kb.articles.values()))
    text = article.texts["en"]
    edited = dataclasses.replace(text, examples=(*text.examples, "one more example"))
    changed = dataclasses.replace(fixture_kb, articles={
        **fixture_kb.articles, article.id: dataclasses.replace(
            article, texts={**article.texts, "en": edited})})
    assert cache_key(changed, files) != key
    files[0].write_text('{"q": "football", "lang": "en"}\n')
    assert cache_key(fixture_kb, files) != key


def test_a_second_start_reads_the_engine_instead_of_building(
        fixture_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = BuildCache(tmp_path / "cache", SECRET)
    built = SearchEngine.build_isolated(fixture_kb, cache=cache)
    # Each child saved the part it built, one file each.
    assert len(list((tmp_path / "cache").glob(f"*{SUFFIX}"))) == len(engine_module.PARTS)

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("built again")

    monkeypatch.setattr(engine_module, "ParallelBuild", no_build)
    read = SearchEngine.build_in_background(fixture_kb, cache)
    for question in ("patent price", "held at the airport now", "меня держат на границе"):
        assert read.search(question) == built.search(question)

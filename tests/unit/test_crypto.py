"""Keys, authenticated encryption, pseudonyms and references."""

from __future__ import annotations

import base64
import logging
import re
import stat
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.crypto import (
    ALPHABET,
    DecryptionError,
    ReportKeys,
    load_report_keys,
    new_draft_id,
    new_reference,
    pseudonym_label,
)

MASTER = bytes(range(32))


def test_round_trip_and_fresh_nonce() -> None:
    keys = ReportKeys.from_master(MASTER)
    first = keys.encrypt("Тавсиф: маро дар сарҳад нигоҳ доштанд".encode(), b"report:R-AAAAAA")
    second = keys.encrypt("Тавсиф: маро дар сарҳад нигоҳ доштанд".encode(), b"report:R-AAAAAA")
    assert first != second  # random nonce: equal texts do not look equal at rest
    assert keys.decrypt(first, b"report:R-AAAAAA").decode() == \
        "Тавсиф: маро дар сарҳад нигоҳ доштанд"


def test_tampering_wrong_record_and_wrong_key_are_detected() -> None:
    keys = ReportKeys.from_master(MASTER)
    blob = keys.encrypt(b"secret description", b"report:R-AAAAAA")
    for index in (0, 5, len(blob) // 2, len(blob) - 1):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        with pytest.raises(DecryptionError):
            keys.decrypt(bytes(tampered), b"report:R-AAAAAA")
    with pytest.raises(DecryptionError):  # moved to another record
        keys.decrypt(blob, b"report:R-BBBBBB")
    with pytest.raises(DecryptionError):
        ReportKeys.from_master(bytes(32)).decrypt(blob, b"report:R-AAAAAA")
    with pytest.raises(DecryptionError):
        keys.decrypt(blob[:10], b"report:R-AAAAAA")


def test_sub_keys_are_separate_and_hidden() -> None:
    keys = ReportKeys.from_master(MASTER)
    assert keys.content_key != keys.pseudonym_key
    assert MASTER not in (keys.content_key, keys.pseudonym_key)
    assert "hidden" in repr(keys) and keys.content_key.hex() not in repr(keys)
    with pytest.raises(ValueError):
        ReportKeys.from_master(b"short")


def test_pseudonyms_are_stable_keyed_and_do_not_reveal_the_id() -> None:
    keys = ReportKeys.from_master(MASTER)
    other = ReportKeys.from_master(bytes(32))
    assert keys.reporter_hash(1001) == keys.reporter_hash(1001)
    assert keys.reporter_hash(1001) != keys.reporter_hash(1002)
    assert keys.reporter_hash(1001) != other.reporter_hash(1001)  # keyed
    assert "1001" not in keys.reporter_hash(1001)
    label = pseudonym_label(keys.reporter_hash(1001))
    assert re.fullmatch(rf"Reporter [{ALPHABET}]{{6}}", label)
    assert label == pseudonym_label(keys.reporter_hash(1001))
    labels = {pseudonym_label(keys.reporter_hash(uid)) for uid in range(1, 2000)}
    assert len(labels) > 1990  # practically distinct


def test_references_are_short_unambiguous_and_random() -> None:
    refs = {new_reference() for _ in range(5000)}
    # 32^6 ≈ 10^9 references: among 5,000 a repeat happens about once in 90 runs (the
    # service draws again when one is taken); many would mean a weak generator.
    assert len(refs) >= 4995
    for ref in list(refs)[:200]:
        assert re.fullmatch(rf"R-[{ALPHABET}]{{6}}", ref)
        assert not set("01OIL") & set(ref[2:])
    assert len(new_draft_id()) == 8 and ":" not in new_draft_id()


def test_key_file_is_created_once_private_and_announced(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with caplog.at_level(logging.WARNING, logger="bot.crypto"):
        first = load_report_keys(settings)
    path = tmp_path / "data" / "report.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.b64decode(path.read_text())) == 32
    assert any("BACK IT UP" in record.getMessage() for record in caplog.records)
    caplog.clear()
    again = load_report_keys(settings)
    assert again.content_key == first.content_key
    assert not caplog.records  # no warning once the key exists


def test_report_key_variable_wins_and_is_validated(tmp_path: Path) -> None:
    encoded = base64.b64encode(MASTER).decode()
    keys = load_report_keys(Settings(data_dir=tmp_path, report_key=encoded))
    assert keys.content_key == ReportKeys.from_master(MASTER).content_key
    assert not (tmp_path / "report.key").exists()
    with pytest.raises(ConfigError, match="REPORT_KEY"):
        load_report_keys(Settings(data_dir=tmp_path, report_key="not base64!"))
    with pytest.raises(ConfigError, match="32 bytes"):
        load_report_keys(Settings(data_dir=tmp_path, report_key=base64.b64encode(b"x" * 16)
                                  .decode()))


def test_missing_key_is_an_error_when_creation_is_not_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no key file"):
        load_report_keys(Settings(data_dir=tmp_path), create=False)


def test_key_file_never_exists_half_written(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Review L4: a crash while the key is written must not leave an empty or partial
    key file (the next start would refuse it, or another starter read it half-written)."""
    import os

    settings = Settings(data_dir=tmp_path / "data")

    def crash(fd: int) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="power cut"):
        load_report_keys(settings)
    assert list((tmp_path / "data").iterdir()) == []  # nothing, not even a temporary file
    monkeypatch.undo()
    keys = load_report_keys(settings)  # the next start simply creates the key
    assert load_report_keys(settings).content_key == keys.content_key
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_a_key_written_meanwhile_by_another_starter_wins(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    import os

    settings = Settings(data_dir=tmp_path)
    other = base64.b64encode(b"o" * 32).decode()
    real_link = os.link

    def race(source: str, target: str) -> None:
        Path(target).write_text(other + "\n")  # the other process linked its key first
        real_link(source, target)

    monkeypatch.setattr(os, "link", race)
    keys = load_report_keys(settings)
    assert keys.content_key == ReportKeys.from_master(b"o" * 32).content_key
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.key"]

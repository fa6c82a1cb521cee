"""Keys, authenticated encryption and pseudonyms: shared by reports, queued questions,
moderator notes and (later) support tickets.

One 32-byte master key (``REPORT_KEY`` or ``DATA_DIR/report.key``) is never used
directly: HKDF derives one sub-key for AES-GCM and one for HMAC pseudonyms, so a
leak of pseudonyms tells nothing about the encryption key and vice versa.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)

KEY_FILE_NAME = "report.key"
KEY_BYTES = 32
NONCE_BYTES = 12  # 96-bit nonces: the size AES-GCM is designed for
FORMAT_VERSION = b"\x01"  # first byte of every blob, so the scheme can change later

# Unambiguous when read aloud or copied by hand: no 0/O, 1/I/L.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 6


class DecryptionError(ValueError):
    """The blob was altered, belongs to another record, or the key is wrong."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                info=b"hamroh/reports/" + purpose).derive(master)


@dataclass(frozen=True, repr=False)
class ReportKeys:
    """Sub-keys derived from the master key; ``repr`` hides them from logs and tracebacks."""

    content_key: bytes
    pseudonym_key: bytes

    @classmethod
    def from_master(cls, master: bytes) -> ReportKeys:
        if len(master) != KEY_BYTES:
            raise ValueError(f"the report key must be {KEY_BYTES} bytes, got {len(master)}")
        return cls(_derive(master, b"content/v1"), _derive(master, b"pseudonym/v1"))

    def __repr__(self) -> str:
        return "ReportKeys(<hidden>)"

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """``version ‖ nonce ‖ ciphertext+tag``; ``associated_data`` binds it to one record."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.content_key).encrypt(nonce, plaintext, associated_data)
        return FORMAT_VERSION + nonce + sealed

    def decrypt(self, blob: bytes, associated_data: bytes) -> bytes:
        if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != FORMAT_VERSION:
            raise DecryptionError("not an encrypted report blob")
        nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return AESGCM(self.content_key).decrypt(nonce, sealed, associated_data)
        except InvalidTag as error:
            raise DecryptionError("report blob failed authentication") from error

    def reporter_hash(self, user_id: int) -> str:
        """Stable keyed hash of a Telegram user id: finds a user's reports and drafts
        without storing the id in clear. Without the key it cannot be reversed by
        trying every possible id."""
        digest = hmac.new(self.pseudonym_key, b"user:%d" % user_id, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def owner_hash(self, purpose: bytes, user_id: int) -> str:
        """A keyed hash of a user id for one purpose (e.g. the questions they typed): it
        lets /forget find their rows, and it equals no other table's hash, so it joins
        nothing across tables."""
        return self.keyed_label(purpose, b"%d" % user_id)

    def keyed_label(self, purpose: bytes, value: bytes) -> str:
        """A keyed hash of any value for one purpose: a row can be found again by whoever
        holds the key, and tells a database reader nothing."""
        digest = hmac.new(self.pseudonym_key, purpose + b":" + value, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def pseudonym_label(reporter_hash: str) -> str:
    """What moderators see: short, stable per reporter, e.g. ``Reporter 7KF3QX``."""
    digest = hashlib.sha256(b"label:" + reporter_hash.encode("ascii")).digest()
    return "Reporter " + "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[:6])


def new_reference() -> str:
    """``R-`` and 6 characters: about 10⁹ values, drawn with ``secrets`` so not guessable."""
    return "R-" + "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_draft_id() -> str:
    # Travels in callback data, so short and free of ':'.
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def load_report_keys(settings: Settings, *, create: bool = True) -> ReportKeys:
    """The key from ``REPORT_KEY`` (base64), else ``DATA_DIR/report.key``, created on
    first run when ``create`` is true."""
    if settings.report_key:
        return ReportKeys.from_master(_decode_key(settings.report_key, "REPORT_KEY"))
    path = settings.data_dir / KEY_FILE_NAME
    if path.exists():
        return ReportKeys.from_master(_decode_key(path.read_text("ascii").strip(), str(path)))
    if not create:
        raise ConfigError(f"REPORT_KEY: not set and no key file at {path}")
    return ReportKeys.from_master(_create_key_file(path))


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ConfigError(f"{source}: expected a base64-encoded {KEY_BYTES}-byte key") from error
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{source}: expected {KEY_BYTES} bytes after base64 decoding, "
                          f"got {len(key)}")
    return key


def _create_key_file(path: Path) -> bytes:
    """Write a new key so that ``path`` never exists half-written: a temporary file is
    written and synced, then linked into place, which fails if another process got there
    first (then its key is used). A crash leaves at most a stray temporary file."""
    key = os.urandom(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(key).decode("ascii") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(partial, path)
        except FileExistsError:
            return _decode_key(path.read_text("ascii").strip(), str(path))
        _sync_directory(path.parent)
    finally:
        partial.unlink(missing_ok=True)
    log.warning(
        "created a new report encryption key in %s. BACK IT UP somewhere safe: without it "
        "the stored incident reports can never be read again. To use it elsewhere, set "
        "REPORT_KEY to the file's content.", path,
    )
    return key


def _sync_directory(directory: Path) -> None:
    """Make the new directory entry itself survive a power cut."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

"""The signing key: kept outside the database, rotated with a grace period.

One secret signs member links, admin console sessions and CSRF tokens (HMAC-SHA256 through
itsdangerous), and a key derived from it encrypts the secrets the service keeps in the
database's ``settings`` table (:func:`encrypt_secret`). A copy of the database alone therefore
opens nothing: no link, no session, no webhook secret.

Where the key comes from, first match wins:

1. ``[web] secret_env``: the environment variable it names (which must be set);
2. ``[web] secret_key_file``: that file (created on first use when missing);
3. ``$SOCIAL_MISSIONS_SECRET_KEY`` when set;
4. the file ``secret.key`` beside the SQLite database (the data folder for PostgreSQL),
   created on first use.

Created files have mode 0600. A key file holds one key per line: the first signs, the next
ones (each followed by the instant it retires, ISO 8601 UTC) still verify until then; lines
starting with ``#`` are comments. :func:`rotate_key_file` (``social-missions secret rotate``)
writes a new first key and keeps the old one for a grace period. ``[web]
previous_secret_key_files`` lists more files whose keys verify (read the same way), for
operators who rotate the key of an environment variable themselves.

Errors: :class:`~engine.errors.ConfigurationError` for a missing variable, an unreadable or
malformed key file, a key shorter than :data:`MIN_KEY_LENGTH` characters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url

from engine.config import Config
from engine.dates import parse_instant
from engine.errors import ConfigurationError
from engine.private_files import write_private_file

from .context import Service
from .settings import data_folder

log = logging.getLogger(__name__)

KEY_ENV = "SOCIAL_MISSIONS_SECRET_KEY"
KEY_FILE_NAME = "secret.key"
MIN_KEY_LENGTH = 32
DEFAULT_GRACE = timedelta(days=7)
# Marks an encrypted value in the ``settings`` table (anything else is a legacy clear value).
ENCRYPTED_PREFIX = "fernet:"
_HKDF_INFO = b"social-missions settings encryption v1"
_HEADER = ("# Social Missions signing keys. Keep this file secret (mode 0600) and out of backups\n"
           "# of the database. First line: the key that signs; next lines: older keys, each with\n"
           "# the instant (UTC) until which what they signed is still accepted.\n")


@dataclass(frozen=True)
class SigningKey:
    """One key: ``retires_at`` is None for the key that signs, else the instant (UTC) after
    which what it signed is refused."""

    secret: str
    retires_at: datetime | None = None


@dataclass(frozen=True)
class KeyRing:
    """The key that signs and the older keys that still verify, with where they came from."""

    current: SigningKey
    previous: tuple[SigningKey, ...] = ()
    source: str = ""
    path: Path | None = None  # the key file, when the current key comes from one

    def verifying(self, now: datetime) -> list[str]:
        """Keys for itsdangerous: the older ones still in their grace first, the signing key
        last (itsdangerous signs with the last and verifies with all)."""
        live = [key.secret for key in self.previous
                if key.retires_at is not None and key.retires_at > now]
        return [*reversed(live), self.current.secret]

    def fernet(self, now: datetime) -> MultiFernet:
        """Encryption of stored secrets: the signing key's derived key first (it encrypts),
        the older keys' after it (they only decrypt)."""
        keys = list(reversed(self.verifying(now)))
        return MultiFernet([_derived_fernet(key) for key in keys])


def _derived_fernet(secret: str) -> Fernet:
    # A separate key per purpose: HKDF-SHA256 of the signing key with its own label.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=_HKDF_INFO).derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


# -- where the key comes from -------------------------------------------------------------------

def default_key_file(config: Config, database_url: str) -> Path:
    """``secret.key`` beside a SQLite database file, else in the data folder."""
    try:
        parsed = make_url(database_url)
    except Exception:  # a bad URL is reported by open_database
        parsed = None
    if parsed is not None and parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            return Path(database).expanduser().resolve().parent / KEY_FILE_NAME
    return data_folder(config) / KEY_FILE_NAME


@dataclass(frozen=True)
class KeySettings:
    """The ``[web]`` keys about the signing key, checked."""

    secret_env: str | None = None
    secret_key_file: Path | None = None
    previous_secret_key_files: tuple[Path, ...] = ()


def key_settings(config: Config) -> KeySettings:
    """Read and check ``[web] secret_env``, ``secret_key_file``, ``previous_secret_key_files``.

    Raises :class:`ConfigurationError` naming the key and the fix.
    """
    web = config.section("web")
    where = f"{config.path or 'configuration'} [web]"
    if "secret" in web:
        raise ConfigurationError(
            f"{where} secret: a key written in the configuration is no longer read; put it in "
            "a file named by secret_key_file (mode 0600) or in an environment variable named "
            "by secret_env")
    secret_env = web.get("secret_env")
    if secret_env is not None and (not isinstance(secret_env, str) or not secret_env.strip()):
        raise ConfigurationError(f"{where} secret_env must name an environment variable, "
                                 "like \"MISSIONS_SECRET_KEY\"")
    key_file = web.get("secret_key_file")
    if key_file is not None and (not isinstance(key_file, str) or not key_file.strip()):
        raise ConfigurationError(f"{where} secret_key_file must be a path, like "
                                 "\"/etc/social-missions/secret.key\"")
    if secret_env and key_file:
        raise ConfigurationError(f"{where}: secret_env and secret_key_file both name the "
                                 "signing key; keep one")
    previous = web.get("previous_secret_key_files", [])
    if not isinstance(previous, list) or not all(isinstance(p, str) and p for p in previous):
        raise ConfigurationError(f"{where} previous_secret_key_files must be a list of paths, "
                                 "like [\"/etc/social-missions/old.key\"]")
    return KeySettings(
        secret_env=secret_env.strip() if secret_env else None,
        secret_key_file=config.resolve_path(key_file.strip()) if key_file else None,
        previous_secret_key_files=tuple(config.resolve_path(p) for p in previous))


def _check_key(secret: str, where: str) -> str:
    if len(secret) < MIN_KEY_LENGTH or any(c.isspace() for c in secret):
        raise ConfigurationError(
            f"{where}: a signing key must be at least {MIN_KEY_LENGTH} characters without "
            "spaces; make one with `python -c \"import secrets; print(secrets.token_urlsafe("
            "32))\"`")
    return secret


def parse_key_file(text: str, where: str) -> KeyRing:
    """The keys of a key file's ``text`` (see the module's docstring for the format)."""
    keys: list[SigningKey] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        secret = _check_key(parts[0], f"{where} line {number}")
        if len(parts) > 2 or (not keys and len(parts) != 1) or (keys and len(parts) != 2):
            raise ConfigurationError(
                f"{where} line {number}: write the signing key alone on the first line, then "
                "one older key per line followed by the instant it retires (ISO 8601 UTC)")
        retires: datetime | None = None
        if keys:
            try:
                retires = parse_instant(parts[1])
            except ValueError:
                raise ConfigurationError(f"{where} line {number}: {parts[1]!r} is not an "
                                         "instant like 2026-12-07T10:00:00Z") from None
        keys.append(SigningKey(secret, retires))
    if not keys:
        raise ConfigurationError(f"{where} holds no key; delete it to have a new one created, "
                                 "or write a key on its first line")
    return KeyRing(current=keys[0], previous=tuple(keys[1:]))


def _read_key_file(path: Path) -> KeyRing:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"signing key file {path}: {error.strerror or error}") from None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        log.warning("signing key file %s can be read by other users; run `chmod 600 %s`",
                    path, path)
    ring = parse_key_file(text, f"signing key file {path}")
    return KeyRing(current=ring.current, previous=ring.previous, source=f"file {path}",
                   path=path)


def _load_or_create(path: Path) -> KeyRing:
    if not path.exists():
        write_private_file(path, _HEADER + secrets.token_urlsafe(32) + "\n", replace=False)
        log.info("created the signing key file %s (mode 0600)", path)
    return _read_key_file(path)


def _file_signature(path: Path) -> tuple[Any, ...]:
    try:
        status = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), status.st_ino, status.st_mtime_ns, status.st_size)


def _resolve(config: Config, database_url: str) -> tuple[tuple[Any, ...], Any]:
    """What identifies the current keys (to cache them) and how to load them."""
    chosen = key_settings(config)
    extra = tuple(_file_signature(p) for p in chosen.previous_secret_key_files)
    if chosen.secret_env:
        name = chosen.secret_env
        value = os.environ.get(name)
        if not value:
            raise ConfigurationError(f"[web] secret_env: ${name} is not set")
        return ("env", name, hashlib.sha256(value.encode()).hexdigest(), extra), \
            lambda: KeyRing(current=SigningKey(_check_key(value, f"${name}")),
                            source=f"environment variable {name}")
    path = chosen.secret_key_file
    if path is None and os.environ.get(KEY_ENV):
        value = os.environ[KEY_ENV]
        return ("env", KEY_ENV, hashlib.sha256(value.encode()).hexdigest(), extra), \
            lambda: KeyRing(current=SigningKey(_check_key(value, f"${KEY_ENV}")),
                            source=f"environment variable {KEY_ENV}")
    path = path or default_key_file(config, database_url)
    return ("file", _file_signature(path), extra), lambda: _load_or_create(path)


def load_key_ring(config: Config, database_url: str) -> KeyRing:
    """The keys for a service of ``config`` on ``database_url`` (the default key file is
    created, mode 0600, when missing), with the keys of ``previous_secret_key_files``."""
    _signature, load = _resolve(config, database_url)
    ring: KeyRing = load()
    older = list(ring.previous)
    for extra in key_settings(config).previous_secret_key_files:
        other = _read_key_file(extra)
        # Its own first key has no retirement date: it verifies as long as it is listed.
        older.append(SigningKey(other.current.secret, datetime.max.replace(tzinfo=UTC)))
        older.extend(other.previous)
    return KeyRing(current=ring.current, previous=tuple(older), source=ring.source,
                   path=ring.path)


_RINGS: weakref.WeakKeyDictionary[Service, tuple[tuple[Any, ...], KeyRing]] = (
    weakref.WeakKeyDictionary())


def key_ring(service: Service) -> KeyRing:
    """The service's keys, read again when the key file (or variable) changes, so a rotation
    takes effect without a restart. Raises :class:`ConfigurationError`."""
    signature, _load = _resolve(service.config, service.settings.database_url)
    cached = _RINGS.get(service)
    if cached is not None and cached[0] == signature:
        return cached[1]
    ring = load_key_ring(service.config, service.settings.database_url)
    # The signature after loading: creating the file changes it.
    signature, _load = _resolve(service.config, service.settings.database_url)
    _RINGS[service] = (signature, ring)
    return ring


def keyed_digest(purpose: str, value: str, key: str) -> str:
    """Hex HMAC-SHA256 of ``value`` (UTF-8) keyed with ``purpose`` and ``key``: how the
    database names a member where their id must not be stored (a copy of the database alone
    cannot test guessed ids, the key being outside it)."""
    keyed = f"social-missions.{purpose}:{key}"
    return hmac.new(keyed.encode(), value.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


def current_digest(service: Service, purpose: str, value: str) -> str:
    """:func:`keyed_digest` with the key that signs now (what is written)."""
    return keyed_digest(purpose, value, key_ring(service).current.secret)


def known_digests(service: Service, purpose: str, value: str) -> list[str]:
    """:func:`keyed_digest` with every key that still verifies (what a lookup must match:
    rows written before a rotation carry the older key's digest)."""
    return [keyed_digest(purpose, value, key) for key in signing_keys(service)]


def signing_keys(service: Service) -> list[str]:
    """The keys itsdangerous gets: older keys still in their grace first, the signing key
    last."""
    return key_ring(service).verifying(service.now())


# -- rotation -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rotation:
    """What :func:`rotate_key_file` did: the file, and until when the old key verifies."""

    path: Path
    old_key_retires_at: datetime
    kept: int  # older keys still in the file (the one just retired included)


def rotate_key_file(path: Path, *, now: datetime, grace: timedelta = DEFAULT_GRACE) -> Rotation:
    """Write a new signing key first in ``path``; the old one verifies until ``now + grace``;
    older keys past their date are dropped. The file is replaced atomically (mode 0600).

    Raises :class:`ConfigurationError` when the file is missing or malformed, ``ValueError``
    for a negative grace.
    """
    if grace < timedelta(0):
        raise ValueError("the grace period cannot be negative")
    if not path.exists():
        raise ConfigurationError(f"signing key file {path} does not exist; start the service "
                                 "once to create it, or write a key in it")
    ring = _read_key_file(path)
    retires = now + grace
    kept = [SigningKey(ring.current.secret, retires)]
    kept += [key for key in ring.previous if key.retires_at and key.retires_at > now]
    lines = [secrets.token_urlsafe(32)]
    lines += [f"{key.secret} {_iso(key.retires_at)}" for key in kept if key.retires_at]
    write_private_file(path, _HEADER + "\n".join(lines) + "\n", replace=True)
    return Rotation(path=path, old_key_retires_at=retires, kept=len(kept))


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- stored secrets ---------------------------------------------------------------------------------

class SecretUnreadable(Exception):
    """A stored secret was encrypted with a key this service does not hold (the database was
    copied, or the key changed without a rotation)."""


def encrypt_secret(service: Service, value: str) -> str:
    """``value`` encrypted (Fernet: AES-128-CBC and HMAC-SHA256) with a key derived from the
    signing key, as stored in the ``settings`` table."""
    token = key_ring(service).fernet(service.now()).encrypt(value.encode("utf-8"))
    return ENCRYPTED_PREFIX + token.decode("ascii")


def is_encrypted(stored: str) -> bool:
    """True for a value written by :func:`encrypt_secret`."""
    return stored.startswith(ENCRYPTED_PREFIX)


def decrypt_secret(service: Service, stored: str) -> tuple[str, bool]:
    """The clear value of ``stored`` and whether it should be written again (a legacy clear
    value, or one encrypted with an older key). Raises :class:`SecretUnreadable`."""
    if not is_encrypted(stored):
        return stored, True
    token = stored[len(ENCRYPTED_PREFIX):].encode("ascii", "replace")
    ring = key_ring(service)
    try:
        return _derived_fernet(ring.current.secret).decrypt(token).decode("utf-8"), False
    except InvalidToken:
        pass
    try:
        return ring.fernet(service.now()).decrypt(token).decode("utf-8"), True
    except InvalidToken:
        raise SecretUnreadable("a stored secret cannot be decrypted with this signing key") \
            from None

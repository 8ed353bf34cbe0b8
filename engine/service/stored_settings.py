"""Settings changed at run time through the API, kept in the ``settings`` table.

The webhook URL and secret set through the API override ``[webhooks]`` of the configuration:
:func:`apply_stored_settings` copies them into ``service.settings`` when a process starts (the
server, ``social-missions worker``), and :func:`update_webhook` changes both the table and the
running process. A worker in another process sees a change when it restarts. The webhook
URL and secret are stored encrypted (:data:`ENCRYPTED_KEYS`).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from typing import Any

from engine.storage.models import SettingRow

from .context import Service
from .keys import SecretUnreadable, decrypt_secret, encrypt_secret
from .webhook_targets import ascii_host_url, check_webhook_url

log = logging.getLogger(__name__)
WEBHOOK_URL = "webhooks.url"
WEBHOOK_SECRET = "webhooks.secret"


# Encrypted at rest with a key derived from the signing key (engine.service.keys): a copy of
# the database alone reveals neither the secret nor credentials written in the URL.
ENCRYPTED_KEYS = frozenset({WEBHOOK_URL, WEBHOOK_SECRET})


def read_setting(service: Service, key: str) -> str | None:
    """The stored value of ``key`` (decrypted for :data:`ENCRYPTED_KEYS`), or None.

    A value of :data:`ENCRYPTED_KEYS` stored in clear (written before encryption existed) or
    with an older key is written again with the current key. One that this service's key
    cannot decrypt (a copied database, a replaced key file) reads as None, with a warning.
    """
    with service.db.sessions() as session:
        row = session.get(SettingRow, key)
        stored = row.value if row is not None else None
    if stored is None or key not in ENCRYPTED_KEYS:
        return stored
    try:
        value, rewrite = decrypt_secret(service, stored)
    except SecretUnreadable:
        log.warning("the stored setting %s cannot be decrypted with this signing key (was the "
                    "key file replaced?); set it again", key)
        return None
    if rewrite:
        write_setting(service, key, value)
    return value


def write_setting(service: Service, key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` (None deletes it); :data:`ENCRYPTED_KEYS` encrypted."""
    if value is not None and key in ENCRYPTED_KEYS:
        value = encrypt_secret(service, value)
    with service.db.transaction() as session:
        row = session.get(SettingRow, key)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(SettingRow(key=key, value=value, updated_at=service.now()))
        else:
            row.value, row.updated_at = value, service.now()


def readable_settings(service: Service) -> dict[str, str]:
    """Every stored :data:`ENCRYPTED_KEYS` value in clear, read with the keys in effect now
    (before a key rotation); a value these keys cannot decrypt is left out (and logged)."""
    values: dict[str, str] = {}
    for key in sorted(ENCRYPTED_KEYS):
        with service.db.sessions() as session:
            row = session.get(SettingRow, key)
            stored = row.value if row is not None else None
        if stored is None:
            continue
        try:
            values[key] = decrypt_secret(service, stored)[0]
        except SecretUnreadable:
            log.warning("the stored setting %s cannot be decrypted with this signing key", key)
    return values


def write_settings(service: Service, values: dict[str, str]) -> int:
    """Write ``values`` (from :func:`readable_settings`) encrypted with the signing key in
    effect now (after a rotation); returns how many were written."""
    for key, value in values.items():
        write_setting(service, key, value)
    return len(values)


def apply_stored_settings(service: Service) -> None:
    """Let the webhook URL and secret stored through the API override the configuration."""
    url, secret = read_setting(service, WEBHOOK_URL), read_setting(service, WEBHOOK_SECRET)
    changes: dict[str, Any] = {}
    if url is not None:
        changes["webhook_url"] = url or None
    if secret is not None:
        changes["webhook_secret"] = secret
    if changes:
        service.settings = dataclasses.replace(service.settings, **changes)


def update_webhook(service: Service, *, url: str | None | object = ...,
                   rotate_secret: bool = False) -> str | None:
    """Change the webhook URL (``None``/empty: no webhook) and/or rotate the secret.

    Returns the new secret when one was created (rotation, or a URL set while no secret
    exists), else None: the secret is shown once, never read back. Raises
    ``WebhookTargetRefused`` (an ``InvalidInput``) for a URL that is not http(s) with a host,
    or whose host is a private, loopback, link-local… address while ``[webhooks]
    allow_private`` is false (see :mod:`.webhook_targets`).
    """
    new_secret: str | None = None
    if url is not ...:
        text = (str(url).strip() if url else "")
        if text:
            text = ascii_host_url(text)  # stored and shown as it is reached
            check_webhook_url(text, allow_private=service.settings.webhook_allow_private)
        write_setting(service, WEBHOOK_URL, text)
        if text and not service.settings.webhook_secret:
            rotate_secret = True
    if rotate_secret:
        new_secret = secrets.token_urlsafe(32)
        write_setting(service, WEBHOOK_SECRET, new_secret)
    apply_stored_settings(service)
    return new_secret

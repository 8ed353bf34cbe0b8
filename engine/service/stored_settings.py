"""Settings changed at run time through the API, kept in the ``settings`` table.

The webhook URL and secret set through the API override ``[webhooks]`` of the configuration:
:func:`apply_stored_settings` copies them into ``service.settings`` when a process starts (the
server, ``social-missions worker``), and :func:`update_webhook` changes both the table and the
running process. A worker in another process sees a change when it restarts.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from sqlalchemy.exc import IntegrityError

from engine.errors import InvalidInput
from engine.storage.models import SettingRow

from .context import Service

WEBHOOK_URL = "webhooks.url"
WEBHOOK_SECRET = "webhooks.secret"


def read_setting(service: Service, key: str) -> str | None:
    with service.db.sessions() as session:
        row = session.get(SettingRow, key)
        return row.value if row is not None else None


def write_setting(service: Service, key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` (None deletes it)."""
    with service.db.transaction() as session:
        row = session.get(SettingRow, key)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(SettingRow(key=key, value=value, updated_at=service.now()))
        else:
            row.value, row.updated_at = value, service.now()


def setting_or_create(service: Service, key: str) -> str:
    """The stored value of ``key``, creating a random one (32 bytes) the first time."""
    current = read_setting(service, key)
    if current is not None:
        return current
    try:
        with service.db.transaction() as session:
            session.add(SettingRow(key=key, value=secrets.token_urlsafe(32),
                                   updated_at=service.now()))
    except IntegrityError:  # another process created it first: use theirs
        pass
    value = read_setting(service, key)
    assert value is not None
    return value


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
    exists), else None: the secret is shown once, never read back.
    """
    new_secret: str | None = None
    if url is not ...:
        text = (str(url).strip() if url else "")
        if text and not text.startswith(("http://", "https://")):
            raise InvalidInput(f"webhook url {text!r} must start with http:// or https://")
        write_setting(service, WEBHOOK_URL, text)
        if text and not service.settings.webhook_secret:
            rotate_secret = True
    if rotate_secret:
        new_secret = secrets.token_urlsafe(32)
        write_setting(service, WEBHOOK_SECRET, new_secret)
    apply_stored_settings(service)
    return new_secret

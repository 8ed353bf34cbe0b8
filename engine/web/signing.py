"""itsdangerous serializers keyed by the service's signing keys, with HMAC-SHA256.

itsdangerous signs with HMAC-SHA1 unless told otherwise; every signature of the web layer
(member links, console sessions, CSRF tokens) goes through here so that none does. The keys
come from :func:`engine.service.keys.signing_keys`: the newest signs, older keys still in
their grace period verify.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from engine.service.context import Service
from engine.service.keys import signing_keys

SIGNER_OPTIONS: dict[str, Any] = {"digest_method": hashlib.sha256}


def serializer(service: Service, salt: str) -> URLSafeSerializer:
    """A URL-safe serializer for ``salt`` (one salt per purpose, so a signature made for one
    purpose is refused by the others). Raises ``ConfigurationError`` without a usable key."""
    return URLSafeSerializer(signing_keys(service), salt=salt, signer_kwargs=SIGNER_OPTIONS)


def timed_serializer(service: Service, salt: str) -> URLSafeTimedSerializer:
    """Like :func:`serializer`, with the signing time in the signature (``max_age`` checks,
    against the system clock, in seconds)."""
    return URLSafeTimedSerializer(signing_keys(service), salt=salt,
                                  signer_kwargs=SIGNER_OPTIONS)

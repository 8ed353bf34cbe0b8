"""``social-missions secret rotate [--grace 7d]``: a new signing key, the old one in grace.

The signing key (member links, console sessions, CSRF tokens, and the encryption of the
secrets stored in the database) lives in a key file outside the database
(:mod:`engine.service.keys`). ``rotate`` writes a new key first in that file and keeps the old
one, which still verifies until the grace period ends (7 days by default; a member link
signed with it stops working then, a console session ends then); stored secrets are
encrypted again with the new key at once. Running servers and workers read the file again
on their next use of the key: no restart is needed.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from .common import add_command_group, add_config_option, duration

MAX_GRACE = 366 * 86400  # seconds: a grace longer than a year defeats the rotation


def register(subparsers: Any) -> None:
    """Add ``secret rotate``."""
    commands = add_command_group(subparsers, "secret", "the signing key: rotate it", metavar="ACTION")
    rotate = commands.add_parser(
        "rotate", help="write a new signing key; the old one verifies during --grace",
        description="Write a new signing key at the head of the key file ([web] "
        "secret_key_file, default secret.key beside the database). What the old key signed "
        "(member links, console sessions) is still accepted for --grace, then refused. The "
        "webhook secret stored in the database is encrypted again with the new key.")
    rotate.add_argument("--grace", default="7d", type=duration(MAX_GRACE, "--grace"),
                        help="how long the old key still verifies: seconds or 30m, 12h, 7d "
                        "(default 7d; 0 refuses its signatures at once)")
    add_config_option(rotate)
    rotate.set_defaults(handler=run_rotate)


def run_rotate(args: argparse.Namespace) -> int:
    """Rotate the key file, then encrypt the stored secrets again."""
    from engine.config import load_config
    from engine.dates import iso_utc
    from engine.errors import ConfigurationError
    from engine.service.context import Service
    from engine.service.keys import key_ring, rotate_key_file
    from engine.service.settings import parse_duration
    from engine.service.stored_settings import readable_settings, write_settings
    from engine.service.webhooks import readable_delivery_urls, reencrypt_delivery_urls

    grace = timedelta(seconds=parse_duration(args.grace, "--grace"))
    service = Service.open(load_config(args.config))
    try:
        ring = key_ring(service)  # creates the default file on a first run
        if ring.path is None:
            raise ConfigurationError(
                f"the signing key comes from the {ring.source}, not from a file: put the new "
                "key in that variable and the old one in a file listed by [web] "
                "previous_secret_key_files (remove it from the list when its grace ends)")
        # Read with the keys in effect now, written with the new one: with --grace 0 the old
        # key no longer decrypts anything once the file is rotated.
        settings_values = readable_settings(service)
        urls = readable_delivery_urls(service)
        rotation = rotate_key_file(ring.path, now=service.now(), grace=grace)
        count = write_settings(service, settings_values)
        reencrypt_delivery_urls(service, urls)
    finally:
        service.close()
    print(f"new signing key written to {rotation.path}")
    print(f"the previous key is accepted until {iso_utc(rotation.old_key_retires_at)}; "
          f"{rotation.kept} older key(s) kept; {count} stored secret(s) encrypted again")
    return 0

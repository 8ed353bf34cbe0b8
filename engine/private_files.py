"""Files only their owner may read: databases, the queue, the signing key file.

Every file the service creates that holds members' data or a secret is created with mode
``0600`` (read and write for the owner, nothing for the group or others) whatever the
process's umask. SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file,
so creating the database file first with ``0600`` covers them too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_MODE = 0o600


def create_private_file(path: str | Path) -> bool:
    """Create ``path`` empty with mode 0600 (its folder too); True when it was created here.

    An existing file is left as it is (its mode included) and False is returned, so two
    processes starting together never truncate each other's file. Raises ``OSError`` when
    the folder cannot be created or written.
    """
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    os.chmod(target, PRIVATE_MODE)  # the umask may only remove bits; make it exact anyway
    return True


def write_private_file(path: str | Path, text: str, *, replace: bool) -> bool:
    """Write ``text`` to ``path`` atomically with mode 0600.

    The text goes to a temporary file beside ``path`` (mode 0600 from its creation), then
    takes its place: with ``replace`` it overwrites ``path``; without, it is put there only
    when ``path`` does not exist yet (a hard link, atomic), and False says another writer got
    there first. Readers never see a half-written file. Raises ``OSError`` on I/O errors.
    """
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, PRIVATE_MODE)
        if replace:
            os.replace(temporary, target)
            return True
        try:
            os.link(temporary, target)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)

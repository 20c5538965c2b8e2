"""Opening the configured database, with its password from the keyring when it needs one."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskapp.config import Settings


def database_password(url: str) -> str | None:
    """The keyring's database-password for a PostgreSQL URL that carries none itself."""
    parts = urllib.parse.urlsplit(url.strip())
    if not parts.scheme.lower().startswith("postgres") or parts.password:
        return None
    from deskapp.secrets import get_secret

    return get_secret("database-password")


def open_configured(settings: Settings) -> None:
    """Open the configured database (no schema check); the default one's folder is created."""
    from deskapp import config
    from deskapp.db import open_database

    if settings.uses_default_database:
        config.data_dir(create=True)
    open_database(settings.database_url, password=database_password(settings.database_url))

"""Settings: a TOML file in the user config dir, overridden by DESKAPP_* environment variables,
overridden by the command line. Secrets never come from here (see deskapp.secrets).

The file (``deskapp doctor`` shows where it is; ``DESKAPP_CONFIG`` names another one)::

    [database]
    url = "postgresql://desk@db.example.net:5432/desk"
    desk_role = "deskapp_desk"   # the desk's own login, made by `db upgrade` (PostgreSQL)

    [desk]
    staff = "sam"          # who signs in
    theme = "nord"         # the starting theme

    [stripe]
    api_base = "http://127.0.0.1:8420"

    [smtp]
    host = "mail.example.net"
    port = 587
    tls = "starttls"       # "starttls", "tls" or "none"
    user = "desk@example.net"
    sender = "Support <support@example.net>"
    timeout = 30           # seconds to wait for the mail server

    [mail]
    authserv_id = "mx.example.net"  # the desk's MTA in Authentication-Results (README)
    max_size = 26214400    # the largest incoming mail `ticket import` takes, in bytes

Things a person chooses in the app (the theme) are remembered separately, in a small state
file written by save_preference(), so the config file stays theirs to edit.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from deskapp.errors import ConfigError
from deskapp.text import is_number

APP_NAME = "deskapp"
CONFIG_ENV = "DESKAPP_CONFIG"
"""Names a config file to use instead of the one in the user config dir."""
SMTP_TLS_MODES = ("starttls", "tls", "none")
MAIL_MAX_SIZE_LIMIT = 100 * 1024 * 1024
"""The largest `[mail] max_size` may be."""
SMTP_TIMEOUT_MAX = 600
"""The longest wait for the mail server a setting may ask for, in seconds."""


class _Setting(NamedTuple):
    attribute: str
    section: str
    key: str
    env: str
    kind: type


SETTINGS = (
    _Setting("database_url", "database", "url", "DESKAPP_DATABASE_URL", str),
    _Setting("desk_role", "database", "desk_role", "DESKAPP_DESK_ROLE", str),
    _Setting("staff", "desk", "staff", "DESKAPP_STAFF", str),
    _Setting("theme", "desk", "theme", "DESKAPP_THEME", str),
    _Setting("stripe_api_base", "stripe", "api_base", "DESKAPP_STRIPE_API_BASE", str),
    _Setting("smtp_host", "smtp", "host", "DESKAPP_SMTP_HOST", str),
    _Setting("smtp_port", "smtp", "port", "DESKAPP_SMTP_PORT", int),
    _Setting("smtp_tls", "smtp", "tls", "DESKAPP_SMTP_TLS", str),
    _Setting("smtp_user", "smtp", "user", "DESKAPP_SMTP_USER", str),
    _Setting("smtp_sender", "smtp", "sender", "DESKAPP_SMTP_SENDER", str),
    _Setting("smtp_timeout", "smtp", "timeout", "DESKAPP_SMTP_TIMEOUT", int),
    _Setting("mail_authserv_id", "mail", "authserv_id", "DESKAPP_MAIL_AUTHSERV_ID", str),
    _Setting("mail_max_size", "mail", "max_size", "DESKAPP_MAIL_MAX_SIZE", int),
)
"""Every setting: its attribute, where it sits in the TOML file, its environment variable."""

_SECRET_FOR_SECTION = {
    "database": "database-password",
    "stripe": "stripe-secret-key",
    "smtp": "smtp-password",
}
_SECRET_WORDS = ("password", "passwd", "secret", "token", "api_key", "apikey")


class Settings(NamedTuple):
    """The desk's configuration after file, environment and command line are combined.

    A named tuple, as the desk's other start-up records are: a frozen dataclass costs about
    1 ms of start-up to create, a named tuple a fifth of that."""

    database_url: str
    """Which database to open: sqlite:///path/to/desk.db or postgresql://user@host:port/name."""
    config_path: Path
    """The config file that was (or would have been) read."""
    config_found: bool = False
    """Whether that file exists."""
    staff: str | None = None
    """The username that signs in; None picks the desk's first admin."""
    theme: str | None = None
    """The configured starting theme (a saved preference, if any, is the person's later choice)."""
    stripe_api_base: str | None = None
    """Where the Stripe API answers; None means Stripe's own. Tests point it at localstripe."""
    smtp_host: str | None = None
    """The outgoing mail server; None means mail stays in the outbox."""
    smtp_port: int = 587
    """The outgoing mail server's port."""
    smtp_tls: str = "starttls"
    """"starttls", "tls" (implicit TLS) or "none"."""
    smtp_user: str | None = None
    """The SMTP login; its password is the `smtp-password` secret."""
    smtp_sender: str | None = None
    """The From address of mail the desk sends."""
    smtp_timeout: int = 30
    """Seconds to wait for the mail server to answer before trying again later."""
    desk_role: str | None = None
    """The desk's own PostgreSQL login that `db upgrade` prepares; None means deskapp_desk."""
    mail_authserv_id: str | None = None
    """The authserv-id of the desk's own mail server in Authentication-Results; None: incoming
    mail's senders are not checked (README: "Incoming mail")."""
    mail_max_size: int = 25 * 1024 * 1024
    """The largest incoming mail `ticket import` takes, in bytes (larger ones bounce)."""
    sources: Mapping[str, str] = MappingProxyType({})
    """Where each setting came from: "default", "config file", "--db" or the variable name."""

    @property
    def database_url_source(self) -> str:
        """Where the database URL came from, for `deskapp doctor`."""
        return self.sources.get("database_url", "default")

    @property
    def uses_default_database(self) -> bool:
        """Whether the database is the default SQLite file in the user data dir."""
        return self.database_url_source == "default"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The config file: $DESKAPP_CONFIG, else config.toml in the user config dir."""
    environ = os.environ if environ is None else environ
    override = environ.get(CONFIG_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def data_dir(*, create: bool = False) -> Path:
    """The user data dir, where the local desk.db and the demo.db live."""
    from platformdirs import user_data_dir

    path = Path(user_data_dir(APP_NAME))
    if create:
        private_dir(path)
    return path


def private_dir(path: Path) -> Path:
    """Make the folder (and its parents) if missing; the folder itself is its owner's alone
    (0700), since the desk keeps clients' details, drafts and logs in it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def log_file_path() -> Path:
    """The log file for tracebacks of unexpected errors (its folder is created)."""
    from platformdirs import user_log_dir

    folder = private_dir(Path(user_log_dir(APP_NAME)))
    path = folder / "deskapp.log"
    if not path.exists():
        import os

        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    return path


def default_database_url() -> str:
    """The local desk: desk.db in the user data dir."""
    return f"sqlite:///{data_dir() / 'desk.db'}"


def load_settings(
    *,
    db_url: str | None = None,
    staff: str | None = None,
    environ: Mapping[str, str] | None = None,
    read_file: bool = True,
) -> Settings:
    """Combine defaults < config file < DESKAPP_* environment < command line.

    Raises ConfigError with one line for a malformed file, an unknown setting, a secret in the
    file, or a value of the wrong type. `read_file=False` skips the file (doctor uses it to
    check the rest when the file is broken).
    """
    environ = os.environ if environ is None else environ
    path = config_path(environ)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    found = path.is_file()
    if read_file and found:
        for attribute, value in _read_file(path).items():
            values[attribute] = value
            sources[attribute] = "config file"
    for setting in SETTINGS:
        raw = environ.get(setting.env, "").strip()
        if raw:
            values[setting.attribute] = _convert(setting, raw, setting.env)
            sources[setting.attribute] = setting.env
    if db_url:
        values["database_url"], sources["database_url"] = db_url.strip(), "--db"
    if staff:
        values["staff"], sources["staff"] = staff.strip(), "--staff"
    _check_values(values, sources)
    if "smtp_tls" in values:
        values["smtp_tls"] = values["smtp_tls"].lower()
    database_url = values.pop("database_url", None) or default_database_url()
    return Settings(
        database_url=database_url,
        config_path=path,
        config_found=found,
        sources=sources,
        **values,
    )


def _read_file(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML: {error}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text.") from None
    except OSError as error:
        raise ConfigError(f"Cannot read the config file {path}: {error.strerror}.") from None
    _refuse_secrets(document, path, ())
    known = {(s.section, s.key): s for s in SETTINGS}
    values: dict[str, Any] = {}
    for section, table in document.items():
        if not isinstance(table, dict):
            raise ConfigError(_unknown(f"{section}", path))
        for key, value in table.items():
            setting = known.get((section, key))
            if setting is None:
                raise ConfigError(_unknown(f"{section}.{key}", path))
            values[setting.attribute] = _convert(setting, value, f"{section}.{key} in {path}")
    url = values.get("database_url")
    if url and urllib.parse.urlsplit(url).password:
        raise ConfigError(
            f"The database URL in {path} holds a password; secrets never go in the config file: "
            "remove it and use `deskapp secrets set database-password`."
        )
    return values


def _refuse_secrets(table: Mapping[str, Any], path: Path, where: tuple[str, ...]) -> None:
    for key, value in table.items():
        name = key.lower().replace("-", "_")
        if any(word in name for word in _SECRET_WORDS) or name == "key" or name.endswith("_key"):
            secret = _SECRET_FOR_SECTION.get(where[0] if where else name, "NAME")
            dotted = ".".join((*where, key))
            raise ConfigError(
                f"The config file {path} holds “{dotted}”; secrets never go in the config file: "
                f"remove it and use `deskapp secrets set {secret}`."
            )
        if isinstance(value, dict):
            _refuse_secrets(value, path, (*where, key))


def _unknown(dotted: str, path: Path) -> str:
    known = ", ".join(f"{s.section}.{s.key}" for s in SETTINGS)
    return f"“{dotted}” in {path} is not a deskapp setting; the settings are: {known}."


def _convert(setting: _Setting, value: Any, where: str) -> Any:
    if setting.kind is int:
        if isinstance(value, str) and is_number(value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{where} must be a whole number, not “{str(value)[:40]}”.")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be text in quotes, not {value!r:.40}.")
    return value.strip()


def _check_values(values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    def where(attribute: str) -> str:
        setting = next(s for s in SETTINGS if s.attribute == attribute)
        source = sources.get(attribute, "")
        return setting.env if source.startswith("DESKAPP_") else f"{setting.section}.{setting.key}"

    port = values.get("smtp_port")
    if port is not None and not 0 < port < 65536:
        raise ConfigError(f"{where('smtp_port')} must be a port number from 1 to 65535.")
    timeout = values.get("smtp_timeout")
    if timeout is not None and not 0 < timeout <= SMTP_TIMEOUT_MAX:
        raise ConfigError(
            f"{where('smtp_timeout')} must be a number of seconds from 1 to {SMTP_TIMEOUT_MAX}."
        )
    size = values.get("mail_max_size")
    if size is not None and not 1024 <= size <= MAIL_MAX_SIZE_LIMIT:
        raise ConfigError(
            f"{where('mail_max_size')} must be a number of bytes from 1024 to "
            f"{MAIL_MAX_SIZE_LIMIT}."
        )
    tls = values.get("smtp_tls")
    if tls is not None and tls.lower() not in SMTP_TLS_MODES:
        raise ConfigError(f"{where('smtp_tls')} must be one of: {', '.join(SMTP_TLS_MODES)}.")
    base = values.get("stripe_api_base")
    if base is not None:
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"{where('stripe_api_base')} must be a URL such as http://127.0.0.1:8420, "
                f"not “{base[:60]}”."
            )
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise ConfigError(
                f"{where('stripe_api_base')} sends the Stripe key in clear text to "
                f"{parts.hostname}: use https, or http only to this machine (127.0.0.1)."
            )


def _loopback(host: str) -> bool:
    """Whether `host` is this machine (localhost, 127.0.0.0/8, ::1)."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def preferences_path() -> Path:
    """The small state file where choices made in the app are remembered."""
    from platformdirs import user_state_dir

    return Path(user_state_dir(APP_NAME)) / "preferences.json"


def load_preferences() -> dict[str, Any]:
    """The remembered choices; an unreadable or damaged file counts as none remembered."""
    try:
        loaded = json.loads(preferences_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def save_preference(key: str, value: str | int | bool | None) -> None:
    """Remember one choice (None forgets it). The file is replaced whole, so it is never torn."""
    path = preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    preferences = load_preferences()
    if value is None:
        preferences.pop(key, None)
    else:
        preferences[key] = value
    import tempfile  # only here: with random and shutil it costs start-up some 6 ms

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".preferences-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(preferences, file, indent=2, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

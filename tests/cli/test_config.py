"""Settings: defaults < config file < DESKAPP_* environment < command line; secrets refused in
the file; malformed files named with their line; remembered preferences."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deskapp import config
from deskapp.errors import ConfigError


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """User dirs under tmp_path and no DESKAPP_* setting from the machine running the tests."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    root = tmp_path / "home"
    for variable, folder in (
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(variable, str(root / folder))
    return root


def write_config(home: Path, text: str) -> Path:
    path = home / ".config" / "deskapp" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_without_file_or_environment_the_desk_is_a_sqlite_file_in_the_user_data_dir(
    home: Path,
) -> None:
    settings = config.load_settings()

    assert settings.database_url == f"sqlite:///{home / '.local/share/deskapp/desk.db'}"
    assert settings.uses_default_database
    assert settings.config_path == home / ".config" / "deskapp" / "config.toml"
    assert not settings.config_found
    assert (settings.staff, settings.smtp_port, settings.smtp_tls) == (None, 587, "starttls")
    assert not (home / ".local/share/deskapp").exists()
    assert config.data_dir(create=True).is_dir()


def test_file_then_environment_then_command_line_win(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        home,
        '[database]\nurl = "sqlite:////srv/file.db"\n\n[desk]\nstaff = "kim"\ntheme = "nord"\n'
        '\n[smtp]\nhost = "mail.example.net"\nport = 465\ntls = "TLS"\n',
    )
    from_file = config.load_settings()
    assert from_file.database_url == "sqlite:////srv/file.db"
    assert from_file.database_url_source == "config file"
    assert (from_file.staff, from_file.theme) == ("kim", "nord")
    assert (from_file.smtp_host, from_file.smtp_port, from_file.smtp_tls) == (
        "mail.example.net",
        465,
        "tls",
    )

    monkeypatch.setenv("DESKAPP_DATABASE_URL", "postgresql://desk@127.0.0.1:5432/desk")
    monkeypatch.setenv("DESKAPP_STAFF", "sam")
    monkeypatch.setenv("DESKAPP_SMTP_PORT", "2525")
    from_env = config.load_settings()
    assert from_env.database_url == "postgresql://desk@127.0.0.1:5432/desk"
    assert from_env.database_url_source == "DESKAPP_DATABASE_URL"
    assert (from_env.staff, from_env.smtp_port, from_env.theme) == ("sam", 2525, "nord")

    from_flag = config.load_settings(db_url="sqlite:////srv/flag.db", staff="admin")
    assert from_flag.database_url == "sqlite:////srv/flag.db"
    assert from_flag.sources["database_url"] == "--db"
    assert from_flag.staff == "admin"


def test_deskapp_config_names_another_file(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "team.toml"
    other.write_text('[stripe]\napi_base = "http://127.0.0.1:8420/"\n', encoding="utf-8")
    monkeypatch.setenv("DESKAPP_CONFIG", str(other))

    settings = config.load_settings()

    assert settings.config_path == other
    assert settings.config_found
    assert settings.stripe_api_base == "http://127.0.0.1:8420/"


def test_a_malformed_file_is_one_line_naming_the_file_and_line(home: Path) -> None:
    path = write_config(home, '[database]\nurl = "sqlite:////srv/desk.db"\nstaff = \n')

    with pytest.raises(ConfigError) as raised:
        config.load_settings()

    message = str(raised.value)
    assert str(path) in message
    assert "line 3" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('[database]\npassword = "hunter2"\n', "deskapp secrets set database-password"),
        ('[stripe]\nsecret_key = "sk_live_x"\n', "deskapp secrets set stripe-secret-key"),
        ('[stripe]\napi_key = "sk_live_x"\n', "deskapp secrets set stripe-secret-key"),
        ('[smtp]\npassword = "x"\n', "deskapp secrets set smtp-password"),
        ('[database]\nurl = "postgresql://desk:hunter2@db/desk"\n', "database-password"),
    ],
    ids=["database-password", "stripe-secret-key", "stripe-api-key", "smtp-password", "url"],
)
def test_secrets_in_the_file_are_refused(home: Path, text: str, secret: str) -> None:
    write_config(home, text)

    with pytest.raises(ConfigError, match="secrets never go in the config file") as raised:
        config.load_settings()

    assert secret in str(raised.value)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[databse]\nurl = "sqlite:////x.db"\n', "“databse.url” in .* is not a deskapp setting"),
        ('[smtp]\nport = "five"\n', "smtp.port in .* must be a whole number"),
        ("[smtp]\nport = 70000\n", "smtp.port must be a port number"),
        ('[smtp]\ntls = "maybe"\n', "smtp.tls must be one of: starttls, tls, none"),
        ("[desk]\nstaff = 7\n", "desk.staff in .* must be text"),
        ('[stripe]\napi_base = "127.0.0.1:8420"\n', "stripe.api_base must be a URL"),
    ],
    ids=["unknown", "port-text", "port-range", "tls", "staff-number", "api-base"],
)
def test_wrong_settings_are_named(home: Path, text: str, complaint: str) -> None:
    write_config(home, text)

    with pytest.raises(ConfigError, match=complaint):
        config.load_settings()


def test_a_wrong_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKAPP_SMTP_PORT", "0")

    with pytest.raises(ConfigError, match="^DESKAPP_SMTP_PORT must be a port number"):
        config.load_settings()


def test_a_broken_file_can_be_skipped_to_check_the_rest(home: Path) -> None:
    write_config(home, "[database\n")

    settings = config.load_settings(read_file=False, db_url="sqlite:////srv/x.db")

    assert settings.database_url == "sqlite:////srv/x.db"
    assert settings.config_found


def test_preferences_are_remembered_and_forgotten(home: Path) -> None:
    assert config.load_preferences() == {}

    config.save_preference("theme", "gruvbox")
    config.save_preference("compact", True)
    assert config.load_preferences() == {"theme": "gruvbox", "compact": True}
    assert config.preferences_path() == home / ".local/state/deskapp/preferences.json"

    config.save_preference("theme", None)
    assert config.load_preferences() == {"compact": True}
    assert [p.name for p in config.preferences_path().parent.iterdir()] == ["preferences.json"]


def test_a_damaged_preferences_file_counts_as_nothing_remembered() -> None:
    path = config.preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")

    assert config.load_preferences() == {}
    config.save_preference("theme", "nord")
    assert config.load_preferences() == {"theme": "nord"}


def readme_config_example() -> str:
    """The TOML block of README.md's Configuration section."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1]
    return section.split("```toml\n", 1)[1].split("```", 1)[0]


def test_the_readme_configuration_example_is_what_the_desk_reads(home: Path) -> None:
    write_config(home, readme_config_example())

    settings = config.load_settings()

    assert settings.database_url == "postgresql://desk@db.example.net:5432/desk"
    assert settings.staff == "sam"
    assert settings.config_found


def test_a_top_level_database_url_is_refused_with_the_section_to_use(home: Path) -> None:
    write_config(home, 'database_url = "postgresql://desk@db.example.net:5432/desk"\n')

    with pytest.raises(ConfigError) as refused:
        config.load_settings()

    assert "database_url" in str(refused.value)

"""The `deskapp` command in-process (main([...]) with capsys) and as a real process for bad input:
one line on stderr, exit 2 for usage and 1 otherwise, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

import deskapp.db
from deskapp import migrations
from deskapp.cli import main
from deskapp.db import close_database, db, open_database
from deskapp.models import Client, Role
from deskapp.services.session import DeskSession


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """User dirs under tmp_path, no DESKAPP_* settings, no keyring (here and in subprocesses)."""
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
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield root
    keyring.set_keyring(previous)
    close_database()


def run_deskapp(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m deskapp ARGS` as a person would run it (stdin is not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "deskapp", *args],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )


def upgraded(url: str) -> str:
    assert main(["db", "upgrade", "--db", url]) == 0
    return url


def newer_database(tmp_path: Path, name: str = "future.db") -> str:
    """A SQLite desk whose schema is newer than this deskapp."""
    url = upgraded(f"sqlite:///{tmp_path / name}")
    open_database(url)
    db.execute_sql(
        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
        (migrations.latest_version() + 1, "from the future", dt.datetime(2030, 1, 1)),
    )
    close_database()
    return url


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "deskapp 0.1.0\n"

    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "deskapp db seed --clients N [--db URL]" in out
    assert "deskapp secrets set NAME" in out


def test_db_upgrade_creates_the_schema_and_then_has_nothing_to_do(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    latest = migrations.latest_version()

    assert main(["db", "upgrade", "--db", database_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Applying 0001 initial …\n")
    assert out.count("Applying") == len(migrations.all_migrations())
    assert f"now at schema version {latest}" in out

    assert main(["db", "upgrade", "--db", database_url]) == 0
    assert "already at schema version" in capsys.readouterr().out


def test_db_check_passes_and_names_each_mismatch(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import ledger_helpers as make

    from deskapp.services import credit, invoices

    upgraded(database_url)
    open_database(database_url)
    admin = make.staff(Role.ADMIN)
    kept = make.client()
    make.client()
    credit.add_credit(admin, kept, "10.00", "Goodwill for the outage")
    credit.add_credit(admin, kept, "5.00", "Overpayment of a bank transfer")
    covered = make.invoice(admin, kept, 1_000)  # credit covers it: Paid
    partly = make.invoice(admin, kept, 2_000)  # the remaining 5.00 of credit, 15.00 due
    invoices.record_manual_payment(admin, partly.id, "15.00", "Bank transfer", "ref 1")
    number = Client.get_by_id(kept).number
    close_database()
    capsys.readouterr()

    assert main(["db", "check", "--db", database_url]) == 0
    assert "Every client's credit matches its ledger" in capsys.readouterr().out

    open_database(database_url)
    db.execute_sql(f"UPDATE client SET credit_cents = 9999 WHERE number = {number}")
    db.execute_sql(f"UPDATE invoice SET amount_due_cents = 100 WHERE number = '{covered.number}'")
    close_database()

    assert main(["db", "check", "--db", database_url]) == 1
    out = capsys.readouterr().out
    assert f"Client C-{number}: cached credit 99.99, but its ledger entries add up to 0.00." in out
    assert f"Invoice {covered.number} (Paid): amount due 1.00" in out
    assert partly.number not in out
    assert "problems found." in out


def test_db_check_and_seed_want_an_upgraded_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"

    assert main(["db", "check", "--db", url]) == 1
    assert main(["db", "seed", "--clients", "3", "--db", url]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert all("`deskapp db upgrade`" in line for line in err)


def test_db_seed_adds_clients_with_a_progress_bar(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upgraded(database_url)
    capsys.readouterr()

    assert main(["db", "seed", "--clients", "30", "--db", database_url]) == 0
    assert "Added 30 clients." in capsys.readouterr().out
    open_database(database_url)
    assert Client.select().count() == 30
    close_database()
    assert main(["db", "check", "--db", database_url]) == 0


class StandInApp(types.ModuleType):
    """Takes the place of screens.app: records the session instead of drawing the TUI."""

    def __init__(self) -> None:
        super().__init__("screens.app")
        self.sessions: list[DeskSession] = []
        self.themes: list[str | None] = []

    def run_desk(self, session: DeskSession, *, configured_theme: str | None = None) -> None:
        self.sessions.append(session)
        self.themes.append(configured_theme)


@pytest.fixture
def tui(monkeypatch: pytest.MonkeyPatch) -> StandInApp:
    app = StandInApp()
    monkeypatch.setitem(sys.modules, "screens.app", app)
    return app


def test_deskapp_opens_the_default_local_desk_and_starts_the_tui(
    tui: StandInApp, home: Path
) -> None:
    assert main([]) == 0

    (session,) = tui.sessions
    assert tui.themes == [None]
    assert session.mode == "local"
    assert session.actor.username == "admin"
    assert session.database.label == "desk.db"
    assert (home / ".local/share/deskapp/desk.db").is_file()


def test_staff_comes_from_the_command_line_over_the_environment(
    tui: StandInApp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DESKAPP_DATABASE_URL", f"sqlite:///{tmp_path / 'desk.db'}")
    assert main([]) == 0  # the first start of a local desk creates its admin
    monkeypatch.setenv("DESKAPP_STAFF", "admin")
    monkeypatch.setenv("DESKAPP_THEME", "nord")
    assert main([]) == 0
    assert [s.actor.username for s in tui.sessions] == ["admin", "admin"]
    assert tui.themes == [None, "nord"]

    assert main(["--staff", "nobody"]) == 1
    assert capsys.readouterr().err == "deskapp: There is no active staff member called “nobody”.\n"
    assert len(tui.sessions) == 2


def test_demo_recreates_its_database_and_signs_in_as_admin(tui: StandInApp, home: Path) -> None:
    demo_url = f"sqlite:///{home / '.local/share/deskapp/demo.db'}"
    counts = []
    for _ in range(2):
        assert main(["demo"]) == 0
        open_database(demo_url)
        counts.append(Client.select().count())
        close_database()

    first, second = tui.sessions
    assert first.actor.username == second.actor.username == "admin"
    assert first.actor.is_admin
    assert second.database.label == "demo.db"
    assert counts[0] > 0
    assert counts[1] == counts[0]


def test_a_second_demo_joins_the_running_one_and_never_deletes_its_file(
    tui: StandInApp, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = home / ".local/share/deskapp"
    folder.mkdir(parents=True)
    running = subprocess.Popen(  # a demo desk running in another process
        [sys.executable, "-c", HOLD_DEMO, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert running.stdout is not None and running.stdout.readline() == b"running\n"
        assert main(["demo", "--no-open"]) == 0

        assert "Joining the demo desk already running on" in capsys.readouterr().out
        assert (folder / "demo.db").read_bytes() == b"the running demo's data"
    finally:
        running.communicate(b"", timeout=30)
    assert main(["demo", "--no-open"]) == 0  # nobody runs it now: a fresh one

    assert "Loaded the demo desk into" in capsys.readouterr().out
    open_database(f"sqlite:///{folder / 'demo.db'}")
    assert Client.select().count() > 0
    close_database()


HOLD_DEMO = """
import sys
from pathlib import Path
from deskapp.demo.running import DemoFile
with DemoFile(Path(sys.argv[1])) as demo:
    demo.path.write_bytes(b"the running demo's data")
    demo.ready()
    print("running", flush=True)
    sys.stdin.read()
"""


def test_demo_loads_into_an_empty_database_of_either_backend(
    tui: StandInApp, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--db", database_url]) == 0

    (session,) = tui.sessions
    assert session.actor is not None and session.actor.username == "admin"
    close_database()
    open_database(database_url)
    clients = Client.select().count()
    close_database()
    assert clients > 0

    assert main(["demo", "--db", database_url, "--no-open"]) == 1  # not empty: refused
    assert "demo data goes into an empty desk only" in capsys.readouterr().err
    open_database(database_url)
    assert Client.select().count() == clients
    close_database()


def test_an_unexpected_error_is_logged_and_named_in_one_line(
    tmp_path: Path,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken_open(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(deskapp.db, "open_database", broken_open)

    url = "postgresql://desk:hun@ter 2@127.0.0.1:5432/postgres"
    assert main(["db", "upgrade", "--db", url]) == 1
    log = home / ".local/state/deskapp/log/deskapp.log"
    assert capsys.readouterr().err == (
        f"deskapp: unexpected error (RuntimeError); the details are in {log}\n"
    )
    logged = log.read_text()
    assert "Traceback" in logged
    assert "RuntimeError: the disk caught fire" in logged
    assert "deskapp db upgrade --db postgresql://desk@127.0.0.1:5432/postgres" in logged
    assert "hun@ter 2" not in logged


def doctor_lines(out: str) -> dict[str, tuple[str, str]]:
    """doctor's output as {topic: (status, detail)}."""
    lines = {}
    for line in out.splitlines():
        status, topic, detail = line.split(maxsplit=2)
        lines[topic] = (status, detail)
    return lines


def test_doctor_on_a_good_setup(
    database_url: str,
    localstripe: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    upgraded(database_url)
    monkeypatch.setenv("DESKAPP_STRIPE_API_BASE", localstripe)
    monkeypatch.setenv("DESKAPP_STRIPE_SECRET_KEY", "sk_test_doctor")
    capsys.readouterr()

    assert main(["doctor", "--db", database_url]) == 0

    lines = doctor_lines(capsys.readouterr().out)
    assert lines["configuration"][0] == "ok"
    if database_url.startswith("sqlite"):
        assert lines["database"] == (
            "ok",
            f"{database_url} (from --db): reachable, schema version "
            f"{migrations.latest_version()} is current.",
        )
    else:  # the test server's login is a superuser: a shared desk should not run as it
        status, detail = lines["database"]
        assert status == "warn"
        assert detail.startswith(f"{database_url} (from --db): this desk signs in as postgres")
        assert "desk's own login (deskapp_desk_" in detail  # this session's (conftest)
    assert lines["keyring"][0] == "warn"
    assert "DESKAPP_DATABASE_PASSWORD" in lines["keyring"][1]
    assert lines["payments"] == (
        "ok",
        f"Stripe at {localstripe} answers; secret key set from DESKAPP_STRIPE_SECRET_KEY.",
    )


def test_doctor_on_a_bad_setup_fails_each_broken_part(
    tmp_path: Path,
    localstripe: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[database]\nurl = "sqlite:///x.db\n', encoding="utf-8")
    monkeypatch.setenv("DESKAPP_CONFIG", str(broken))
    monkeypatch.setenv("DESKAPP_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/desk")
    monkeypatch.setenv("DESKAPP_STRIPE_API_BASE", localstripe)
    monkeypatch.setenv("DESKAPP_STRIPE_SECRET_KEY", "not-a-stripe-key")

    assert main(["doctor"]) == 1

    lines = doctor_lines(capsys.readouterr().out)
    assert lines["configuration"][0] == "FAIL"
    assert f"{broken} is not valid TOML" in lines["configuration"][1]
    assert "line 2" in lines["configuration"][1]
    assert lines["database"][0] == "FAIL"
    assert "(from DESKAPP_DATABASE_URL): Cannot open the database" in lines["database"][1]
    assert lines["payments"] == ("FAIL", f"Stripe at {localstripe} refused the secret key.")


def test_doctor_warns_about_what_is_not_set_up_yet(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor"]) == 0

    lines = doctor_lines(capsys.readouterr().out)
    assert lines["configuration"][0] == "ok"
    assert lines["database"][0] == "warn"
    assert "(from default): There is no database at" in lines["database"][1]
    assert lines["payments"][0] == "warn"
    assert not (home / ".local/share/deskapp/desk.db").exists()


def test_doctor_fails_a_database_newer_than_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = newer_database(tmp_path)
    capsys.readouterr()

    assert main(["doctor", "--db", url]) == 1
    status, detail = doctor_lines(capsys.readouterr().out)["database"]
    assert status == "FAIL"
    assert "newer than this deskapp" in detail


def test_bad_input_is_one_line_and_an_exit_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each case as a real process: exit status, one line on stderr, no traceback."""
    broken_config = tmp_path / "broken.toml"
    broken_config.write_text("[desk\n", encoding="utf-8")
    cases = [
        (["--db", "mysql://root@127.0.0.1/desk"], 2, "is not a database URL"),
        (["frobnicate"], 2, "invalid choice: 'frobnicate'"),
        (["db", "seed", "--clients", "many"], 2, "not a whole number above 0"),
        (["db"], 2, "the following arguments are required"),
        (["--db", "postgresql://postgres@127.0.0.1:1/x"], 1, "Cannot open the database"),
        (["db", "check", "--db", f"sqlite:///{tmp_path}/missing/desk.db"], 1, "does not exist"),
        (["--db", newer_database(tmp_path)], 1, "newer than this deskapp"),
        (
            ["db", "upgrade", "--db", newer_database(tmp_path, "later.db")],
            1,
            "newer than this deskapp",
        ),
    ]
    for args, status, words in cases:
        result = run_deskapp(*args)
        assert (result.returncode, result.stdout) == (status, ""), args
        assert result.stderr.count("\n") == 1, result.stderr
        assert words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr

    monkeypatch.setenv("DESKAPP_CONFIG", str(broken_config))
    result = run_deskapp("db", "check")
    assert result.returncode == 1
    assert result.stderr.startswith(f"deskapp: The config file {broken_config} is not valid TOML")
    assert "line 1" in result.stderr
    assert result.stderr.count("\n") == 1

"""Setting up a desk from the command line, in-process through `deskapp`'s entry point on each
backend: `db upgrade` makes a new desk usable (four departments, canned replies, mail from a
client opens a ticket), `settings export|import FILE` and `settings lead-days`, which
`billing run` follows when no --lead-days is given."""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskapp import clock
from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.migrations import m0010_starting_set
from deskapp.models import CannedReply, Department, Role, Staff, Ticket
from deskapp.passwords import hash_password
from deskapp.services.actors import actor_from
from deskapp.services.canned import unknown_fields
from deskapp.services.client_form import ClientForm
from deskapp.services.clients import create_client

PASSWORD = "staff password"
MAIL = (
    "From: Mina Okafor <mina@example.net>\nTo: help@example.net\nSubject: Router is down\n"
    "Message-ID: <first@example.net>\n\nNothing works since this morning.\n"
)


@pytest.fixture
def quiet_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DESKAPP_PASSWORD", PASSWORD)


def test_a_new_desk_starts_with_departments_and_replies_and_takes_mail(
    database_url: str,
    frozen_time: dt.datetime,
    quiet_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(m0010_starting_set, "SEED_NEW_DESKS", True)  # as a real desk has it
    assert main(["db", "upgrade", "--db", database_url]) == 0
    open_database(database_url)
    departments = Department.select().order_by(Department.sort_order)
    assert [row.name for row in departments] == ["General", "Support", "Billing", "Orders"]
    replies = list(CannedReply.select())
    assert 4 <= len(replies) <= 6
    assert all(not unknown_fields(reply.body) and "{" in reply.body for reply in replies)
    admin = Staff.create(username="kim", name="Kim", role=Role.ADMIN)
    create_client(actor_from(admin), ClientForm("Mina", "Okafor", "mina@example.net"))
    close_database()
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(MAIL))
    assert main(["ticket", "import", "-", "--db", database_url]) == 0, capsys.readouterr().err
    open_database(database_url)
    ticket = Ticket.get()
    assert ticket.subject == "Router is down"
    assert Department.get_by_id(ticket.department_id).name == "Support"
    close_database()


@pytest.fixture
def desk_url(desk: str, quiet_env: None) -> Iterator[str]:
    hashed = hash_password(PASSWORD)
    Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN, password_hash=hashed)
    Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT, password_hash=hashed)
    close_database()
    yield desk
    open_database(desk)


def settings(url: str, staff: str, *args: str) -> int:
    return main(["--staff", staff, "settings", *args, "--db", url])


def test_settings_export_and_import_a_file(
    desk_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "desk.toml"
    assert settings(desk_url, "kim", "export", str(exported)) == 0
    assert capsys.readouterr().out == f"Wrote the desk's settings to {exported}.\n"
    text = exported.read_text("utf-8")
    assert '[[department]]\nname = "Orders"' in text and "lead_days = 7" in text
    exported.write_text(
        text + '\n[[department]]\nname = "Sales"\nsignature = "Sales\\nteam"\n'
        '[[department.field]]\nname = "size"\nlabel = "Company size"\nkind = "number"\n',
        "utf-8",
    )
    assert settings(desk_url, "sam", "import", str(exported)) == 1
    assert "Only an admin can change the desk's settings" in capsys.readouterr().err
    assert settings(desk_url, "kim", "import", str(exported)) == 0
    assert capsys.readouterr().out == "Imported: 1 department added.\n"
    assert settings(desk_url, "kim", "import", str(exported)) == 0
    assert capsys.readouterr().out == "The desk already had these settings; nothing changed.\n"
    broken = tmp_path / "broken.toml"
    broken.write_text('[[canned_reply]]\ntitle = "Hi\\u001b]0;x"\nbody = "{oops}"\n', "utf-8")
    assert settings(desk_url, "kim", "import", str(broken)) == 1
    err = capsys.readouterr().err
    assert err.startswith("deskapp: In canned reply 1 (“Hi") and "{oops}" in err
    assert "\x1b" not in err and err.count("\n") == 1
    assert settings(desk_url, "kim", "export", "-") == 0
    out = capsys.readouterr().out
    assert 'name = "Sales"\nemail = ""\nsort_order = 0\nsignature = "Sales\\nteam"' in out
    assert 'label = "Company size"\nkind = "number"\nrequired = false' in out


def test_lead_days_is_set_by_an_admin_and_billing_run_follows_it(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settings(desk_url, "sam", "lead-days") == 0
    assert capsys.readouterr().out == "Billing run invoices services 7 days before they are due.\n"
    later = (clock.today() + dt.timedelta(days=10)).isoformat()
    run = ["billing", "run", "--dry-run", "--date", later, "--db", desk_url]
    assert main(run) == 1
    assert "within the 7-day lead time" in capsys.readouterr().err
    assert settings(desk_url, "sam", "lead-days", "12") == 1
    assert "Only an admin" in capsys.readouterr().err
    assert settings(desk_url, "kim", "lead-days", "12") == 0
    assert (
        capsys.readouterr().out
        == "Billing run now invoices services 12 days before they are due.\n"
    )
    assert main(run) == 0
    assert f"Dry run as of {later}" in capsys.readouterr().out
    assert settings(desk_url, "kim", "lead-days", "32") == 1
    assert "0 to 31 days, not 32" in capsys.readouterr().err

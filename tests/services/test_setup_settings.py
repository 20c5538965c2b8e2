"""Canned reply administration, the billing lead time, mail routes and the desk's sender, and
the settings file (TOML round trip with hostile text, idempotent, whole-or-nothing imports);
on both backends."""

from __future__ import annotations

import pytest
from hostile import HOSTILE

from deskapp.errors import Conflict, DeskError, PermissionDenied, ValidationError
from deskapp.models import AuditEntry, CannedReply, Department, Role, Staff
from deskapp.services import billing_plan, billing_run, contacts, desk_settings
from deskapp.services.actors import Actor, actor_from
from deskapp.services.canned import (
    delete_canned_reply,
    get_canned_reply_view,
    list_canned_reply_views,
    preview_canned_reply,
    save_canned_reply,
)
from deskapp.services.client_form import ClientForm
from deskapp.services.clients import create_client
from deskapp.services.departments import ExtraField, save_department
from deskapp.services.settings_file import export_settings, import_settings
from deskapp.services.ticket_open import open_ticket


@pytest.fixture
def people(desk: str) -> tuple[Actor, Actor]:
    """An admin and an agent."""
    admin = Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN)
    agent = Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT)
    return actor_from(admin), actor_from(agent)


def test_canned_replies_are_saved_previewed_and_deleted(people: tuple[Actor, Actor]) -> None:
    admin, agent = people
    orders = Department.get(Department.name == "Orders")
    saved = save_canned_reply(
        admin, title="Thanks", body="Hi {first_name}, about {ticket_number}.",
        department_id=orders.id,
    )  # fmt: skip
    assert (saved.department, saved.version) == ("Orders", 1)
    assert list_canned_reply_views() == [saved]
    client = create_client(admin, ClientForm("Mina", "Okafor", "mina@example.net"))
    ticket = open_ticket(admin, client.id, orders.id, "Order", "Please.")
    assert (
        preview_canned_reply(saved.body, ticket.id, agent) == f"Hi Mina, about T-{ticket.number}."
    )
    with pytest.raises(ValidationError, match=r"cannot fill \{name\}, \{total\}; the fields"):
        save_canned_reply(admin, title="Bad", body="{name} owes {total}", department_id=None)
    with pytest.raises(PermissionDenied):
        save_canned_reply(agent, title="Mine", body="Hello", department_id=None)
    with pytest.raises(PermissionDenied):
        delete_canned_reply(agent, saved.id)
    changed = save_canned_reply(
        admin, title="Thanks!", body="Hello.", department_id=None, reply_id=saved.id, version=1
    )
    assert (changed.title, changed.department_id, changed.version) == ("Thanks!", None, 2)
    with pytest.raises(Conflict, match="Kim Adler changed Thanks"):
        save_canned_reply(
            admin, title="Old", body="Hi.", department_id=None, reply_id=saved.id, version=1
        )
    with pytest.raises(ValidationError, match="There is already a canned reply called “thanks!”"):
        save_canned_reply(admin, title="thanks!", body="Hi.", department_id=None)
    delete_canned_reply(admin, saved.id)
    assert not CannedReply.select().exists()
    actions = [row.action for row in AuditEntry.select().order_by(AuditEntry.created_at)]
    assert actions.count("right.refused") == 2
    assert {"canned_reply.created", "canned_reply.updated", "canned_reply.deleted"} <= set(actions)
    with pytest.raises(DeskError, match="no longer exists"):
        get_canned_reply_view(saved.id)


def test_lead_days_routes_and_sender_have_defaults_and_only_admins_change_them(
    people: tuple[Actor, Actor],
) -> None:
    admin, agent = people
    assert desk_settings.CONTACT_CATEGORIES == tuple(contacts.MAIL_CATEGORIES.values())
    assert desk_settings.DEFAULT_BILLING_LEAD_DAYS == billing_run.DEFAULT_LEAD_DAYS
    assert desk_settings.MAX_BILLING_LEAD_DAYS == billing_plan.MAX_LEAD_DAYS
    assert desk_settings.billing_lead_days() == 7
    assert desk_settings.mail_routes() == dict(desk_settings.DEFAULT_MAIL_ROUTES)
    assert desk_settings.desk_sender() == ""
    for change in (
        lambda who: desk_settings.set_billing_lead_days(who, 10),
        lambda who: desk_settings.set_mail_route(who, "invoice", "General"),
        lambda who: desk_settings.set_desk_sender(who, "Desk <desk@example.net>"),
    ):
        with pytest.raises(PermissionDenied):
            change(agent)
        change(admin)
    assert desk_settings.billing_lead_days() == 10
    assert desk_settings.mail_routes()["invoice"] == "General"
    assert desk_settings.desk_sender() == "Desk <desk@example.net>"
    with pytest.raises(ValidationError, match="0 to 31 days, not 40"):
        desk_settings.set_billing_lead_days(admin, 40)
    with pytest.raises(ValidationError, match="“fax” is not a kind of mail"):
        desk_settings.set_mail_route(admin, "fax", "General")
    with pytest.raises(ValidationError, match="Invoice mail can go to General, Invoice"):
        desk_settings.set_mail_route(admin, "invoice", "Billing")
    with pytest.raises(ValidationError, match="must be on one line"):
        desk_settings.set_desk_sender(admin, "a@example.net\r\nBcc: all@example.net")
    assert desk_settings.set_desk_sender(admin, "") == ""
    assert AuditEntry.select().where(AuditEntry.action == "right.refused").count() == 3


def _setting_up(admin: Actor) -> int:
    """Departments and canned replies named and written with the hostile corpus; how many
    hostile texts the desk took (the rest it refused, as it should, e.g. a NUL)."""
    save_department(
        admin,
        name="Support",
        email="support@example.net",
        signature="Regards,\n\tSupport \\ “team”",
        fields=(
            ExtraField("service", 'Service "name"', True),
            ExtraField("plan", "Plan", False, "choice", ("Basic", 'Pro \\ "max"')),
            ExtraField("since", "Since", False, "date"),
        ),
        sort_order=5,
    )
    taken = 0
    for n, text in enumerate(HOSTILE):
        try:
            save_department(admin, name=f"D{n} {text[:60]}", email="", signature=text, fields=())
            save_canned_reply(
                admin,
                title=f"R{n} {text[:100]}",
                body=f"{text}\n{{first_name}}",
                department_id=None,
            )
        except ValidationError:
            continue
        taken += 1
    return taken


def test_export_import_export_is_identical_with_hostile_text(people: tuple[Actor, Actor]) -> None:
    admin, _ = people
    assert _setting_up(admin) > len(HOSTILE) // 2
    desk_settings.set_billing_lead_days(admin, 12)
    desk_settings.set_mail_route(admin, "domain", "General")
    desk_settings.set_desk_sender(admin, 'Help "Desk" <help@example.net>')
    first = export_settings()
    again = import_settings(admin, first)
    assert not again.changed
    assert again.sentence() == "The desk already had these settings; nothing changed."
    CannedReply.delete().execute()
    Department.delete().where(Department.name != "Orders").execute()
    desk_settings.set_billing_lead_days(admin, 7)
    summary = import_settings(admin, first)
    assert summary.departments_added == len(first.split("[[department]]")) - 2
    assert summary.settings_changed == 1
    assert export_settings() == first


def test_a_bad_file_changes_nothing_and_names_the_entry(people: tuple[Actor, Actor]) -> None:
    admin, agent = people
    before = export_settings()
    good = '[[department]]\nname = "Sales"\n\n'
    bad = (
        '[[department]]\nname = "Outage"\n[[department.field]]\nname = "since"\nlabel = "Since"\n'
        'kind = "colour"\n'
    )
    with pytest.raises(ValidationError, match=r"In department 2 \(“Outage”\): Since has the kind"):
        import_settings(admin, good + bad)
    with pytest.raises(ValidationError, match="In canned reply 1 .“Hi”.: The desk cannot fill"):
        import_settings(admin, good + '[[canned_reply]]\ntitle = "Hi"\nbody = "{price}"\n')
    with pytest.raises(ValidationError, match="there is no department called “Nowhere”"):
        import_settings(
            admin, good + '[[canned_reply]]\ntitle = "Hi"\nbody = "Hi"\ndepartment = "Nowhere"\n'
        )
    with pytest.raises(ValidationError, match="In \\[billing\\] lead_days: The lead time must"):
        import_settings(admin, "[billing]\nlead_days = 99\n" + good)
    with pytest.raises(ValidationError, match="The file is not valid TOML"):
        import_settings(admin, good + "name = ")
    with pytest.raises(ValidationError, match="The file has “colours”, which is not a setting"):
        import_settings(admin, "colours = 1\n" + good)
    with pytest.raises(PermissionDenied):
        import_settings(agent, good)
    assert export_settings() == before
    assert import_settings(admin, good).sentence() == "Imported: 1 department added."

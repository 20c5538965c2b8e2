"""The desk's settings as a TOML file, for version control and for setting up a new desk:
departments (with their fields and signature), canned replies, mail sender and routes, the
billing lead time and the agent credit limit.

Import matches departments by name and canned replies by title: it adds what is missing and
changes what differs, never deletes, so importing the same file twice changes nothing the
second time. Every entry is checked before anything is written, and everything is written in
one transaction: a bad file changes nothing, and the sentence names the entry at fault.
Export writes the same file again byte for byte (export -> import -> export is identical).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from deskapp.errors import ValidationError
from deskapp.models import CannedReply, Department
from deskapp.money import Money
from deskapp.services import audit, desk_settings
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import cents
from deskapp.services.canned import checked_reply, write_canned_reply
from deskapp.services.catalogue_file import toml_string
from deskapp.services.departments import checked_fields, validated, write_department
from deskapp.services.rights import Right, acting
from deskapp.services.ticket_open import ExtraField, extra_fields_json, extra_fields_of

FILE_LIMIT = 2_000_000
"""The largest settings file read (characters)."""
_TOP = {"billing", "credit", "mail", "department", "canned_reply"}


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    departments_added: int
    """Departments the desk did not have."""
    departments_changed: int
    """Departments of the same name that differed."""
    replies_added: int
    """Canned replies the desk did not have."""
    replies_changed: int
    """Canned replies of the same title that differed."""
    settings_changed: int
    """Lead time, credit limit, sender and mail routes that differed."""

    @property
    def changed(self) -> bool:
        """Whether the import changed anything."""
        return any(
            (
                self.departments_added,
                self.departments_changed,
                self.replies_added,
                self.replies_changed,
                self.settings_changed,
            )
        )

    def sentence(self) -> str:
        """What the import did, in one line."""
        if not self.changed:
            return "The desk already had these settings; nothing changed."
        parts = [
            _count(self.departments_added, "department", "added"),
            _count(self.departments_changed, "department", "changed"),
            _count(self.replies_added, "canned reply", "added", "canned replies"),
            _count(self.replies_changed, "canned reply", "changed", "canned replies"),
            _count(self.settings_changed, "setting", "changed"),
        ]
        return "Imported: " + ", ".join(part for part in parts if part) + "."


# --- export -------------------------------------------------------------------------------


def export_settings() -> str:
    """The desk's settings as TOML text."""
    lines = ["# deskapp settings: `deskapp settings import FILE` applies them to a desk.", ""]
    lines += ["[billing]", f"lead_days = {desk_settings.billing_lead_days()}", ""]
    lines += ["[credit]", f"agent_limit = {toml_string(str(desk_settings.credit_limit()))}", ""]
    lines += ["[mail]", f"sender = {toml_string(desk_settings.desk_sender())}", ""]
    lines += ["[mail.routes]"]
    lines += [f"{kind} = {toml_string(to)}" for kind, to in desk_settings.mail_routes().items()]
    names = {}
    for row in Department.select().order_by(Department.sort_order, Department.name):
        names[row.id] = row.name
        lines += ["", "[[department]]", f"name = {toml_string(row.name)}"]
        lines += [f"email = {toml_string(row.email)}", f"sort_order = {row.sort_order}"]
        lines += [f"signature = {toml_string(row.signature)}"]
        for field in extra_fields_of(row.extra_fields):
            lines += ["", "[[department.field]]", f"name = {toml_string(field.name)}"]
            lines += [f"label = {toml_string(field.label)}", f"kind = {toml_string(field.kind)}"]
            lines += [f"required = {'true' if field.required else 'false'}"]
            if field.kind == "choice":
                shown = ", ".join(toml_string(choice) for choice in field.choices)
                lines += [f"choices = [{shown}]"]
    for reply in CannedReply.select().order_by(CannedReply.title):
        department = names.get(reply.department_id, "") if reply.department_id else ""
        lines += ["", "[[canned_reply]]", f"title = {toml_string(reply.title)}"]
        lines += [f"department = {toml_string(department)}", f"body = {toml_string(reply.body)}"]
    return "\n".join(lines) + "\n"


# --- import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """A checked file: what to write."""

    departments: list[dict[str, Any]]
    fields: list[tuple[ExtraField, ...]]
    replies: list[tuple[str, str, str]]
    lead_days: int | None
    credit_cents: int | None
    sender: str | None
    routes: dict[str, str]


def import_settings(actor: Actor | None, text: str) -> ImportSummary:
    """Apply a settings file (admins only): departments by name, canned replies by title, and
    the desk's settings; one transaction, audited. ValidationError naming the entry at fault,
    and nothing written, when any part of the file is wrong."""
    plan = _checked(text)
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        added = changed = 0
        ids = {row.name: row.id for row in Department.select(Department.id, Department.name)}
        for values, fields in zip(plan.departments, plan.fields, strict=True):
            entry = f"department “{values['name']}”"
            existing = Department.get_or_none(Department.name == values["name"])
            if existing is not None and _same_department(existing, values, fields):
                continue
            written = {**values, "extra_fields": extra_fields_json(fields)}
            with _naming(entry):
                ids[values["name"]] = write_department(
                    person, written, existing.id if existing else None, None
                )
            added, changed = (added + 1, changed) if existing is None else (added, changed + 1)
        replies_added = replies_changed = 0
        for title, department, body in plan.replies:
            entry = f"canned reply “{title}”"
            if department and department not in ids:
                raise ValidationError(
                    "department", f"In {entry}: there is no department called “{department}”."
                )
            department_id = ids[department] if department else None
            reply = CannedReply.get_or_none(CannedReply.title == title)
            if reply is not None and (reply.body, reply.department_id) == (
                body,
                department_id,
            ):
                continue
            with _naming(entry):
                write_canned_reply(
                    person, title, body, department_id, reply.id if reply else None, None
                )
            if reply is None:
                replies_added += 1
            else:
                replies_changed += 1
        settings = _apply_settings(person, plan)
        if added or changed or replies_added or replies_changed or settings:
            audit.record(person, "settings.imported", "desk_setting", "file", "Settings imported")
    return ImportSummary(added, changed, replies_added, replies_changed, settings)


def _apply_settings(actor: Actor, plan: _Plan) -> int:
    changed = 0
    if plan.lead_days is not None:
        changed += desk_settings.store_billing_lead_days(actor, plan.lead_days)
    if plan.credit_cents is not None and plan.credit_cents != desk_settings.credit_limit_cents():
        before = desk_settings.credit_limit_cents()
        desk_settings.store_credit_limit(plan.credit_cents)
        audit.record(
            actor, "settings.credit_limit", "desk_setting", "agent_credit_limit",
            f"Agent credit limit per entry: {Money(before)} → {Money(plan.credit_cents)}",
            {"cents": before}, {"cents": plan.credit_cents},
        )  # fmt: skip
        changed += 1
    if plan.sender is not None:
        changed += desk_settings.store_desk_sender(actor, plan.sender)
    for kind, category in plan.routes.items():
        changed += desk_settings.store_mail_route(actor, kind, category)
    return changed


def _same_department(
    row: Department, values: dict[str, Any], fields: tuple[ExtraField, ...]
) -> bool:
    mine = (row.email, row.signature, row.sort_order, extra_fields_of(row.extra_fields))
    return mine == (values["email"], values["signature"], values["sort_order"], fields)


class _naming:
    """Re-raise a refusal with the entry it is about in front ("In department “Billing”: …")."""

    def __init__(self, entry: str) -> None:
        self.entry = entry

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if isinstance(error, ValidationError):
            raise ValidationError(error.field, f"In {self.entry}: {error}") from error


def _checked(text: str) -> _Plan:
    if len(text) > FILE_LIMIT:
        raise ValidationError(
            "file", f"The file is over {FILE_LIMIT:,} characters; is it the right one?"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError("file", f"The file is not valid TOML: {error}.") from None
    _known_keys("the file", data, _TOP)
    billing = _table(data, "billing", "the [billing] table")
    _known_keys("[billing]", billing, {"lead_days"})
    credit = _table(data, "credit", "the [credit] table")
    _known_keys("[credit]", credit, {"agent_limit"})
    mail = _table(data, "mail", "the [mail] table")
    _known_keys("[mail]", mail, {"sender", "routes"})
    routes = _table(mail, "routes", "[mail.routes]")
    lead_days = None
    if "lead_days" in billing:
        with _naming("[billing] lead_days"):
            lead_days = desk_settings.checked_lead_days(billing["lead_days"])
    credit_cents = None
    if "agent_limit" in credit:
        with _naming("[credit] agent_limit"):
            credit_cents = cents(credit["agent_limit"])
            if credit_cents < 0:
                raise ValidationError("amount", "The limit cannot be below 0.00.")
    sender = None
    if "sender" in mail:
        with _naming("[mail] sender"):
            sender = desk_settings.checked_sender(mail["sender"])
    checked_routes = {}
    for kind, category in routes.items():
        with _naming(f"[mail.routes] {str(kind)[:30]}"):
            kind, category = desk_settings.checked_route(kind, category)
        checked_routes[kind] = category
    departments, fields = _departments(_array(data, "department"))
    replies = _replies(_array(data, "canned_reply"))
    return _Plan(departments, fields, replies, lead_days, credit_cents, sender, checked_routes)


def _departments(
    entries: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[tuple[ExtraField, ...]]]:
    departments, all_fields, seen = [], [], set()
    for position, entry in enumerate(entries, 1):
        name = entry.get("name")
        label = f"department {position}" + (f" (“{name[:40]}”)" if isinstance(name, str) else "")
        with _naming(label):
            _known_keys("it", entry, {"name", "email", "sort_order", "signature", "field"})
            values = validated(
                name=entry.get("name", ""),
                email=entry.get("email", ""),
                signature=entry.get("signature", ""),
                sort_order=entry.get("sort_order", 0),
            )
            if values["name"].lower() in seen:
                raise ValidationError("name", "the file names this department twice.")
            seen.add(values["name"].lower())
            all_fields.append(checked_fields(_fields(_array(entry, "field"))))
        departments.append(values)
    return departments, all_fields


def _fields(entries: Iterable[dict[str, Any]]) -> list[ExtraField]:
    fields = []
    for entry in entries:
        _known_keys("a field", entry, {"name", "label", "kind", "required", "choices"})
        choices = entry.get("choices", [])
        required = entry.get("required", False)
        if not isinstance(choices, list) or not isinstance(required, bool):
            raise ValidationError(
                "fields", "a field's choices must be a list, required true or false."
            )
        fields.append(
            ExtraField(
                str(entry.get("name", "")),
                str(entry.get("label", "")),
                required,
                str(entry.get("kind", "text")),
                tuple(str(choice) for choice in choices),
            )
        )
    return fields


def _replies(entries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    replies, seen = [], set()
    for position, entry in enumerate(entries, 1):
        title = entry.get("title")
        label = f"canned reply {position}" + (
            f" (“{title[:40]}”)" if isinstance(title, str) else ""
        )
        with _naming(label):
            _known_keys("it", entry, {"title", "department", "body"})
            title, body = checked_reply(entry.get("title", ""), entry.get("body", ""))
            department = entry.get("department", "")
            if not isinstance(department, str):
                raise ValidationError("department", "the department must be a name in quotes.")
            if title.lower() in seen:
                raise ValidationError("title", "the file names this canned reply twice.")
            seen.add(title.lower())
        replies.append((title, department.strip(), body))
    return replies


def _table(data: Mapping[str, Any], name: str, what: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ValidationError("file", f"In the file, {what} must be a table.")
    return value


def _array(data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError("file", f"In the file, {name} must be written [[{name}]].")
    return value


def _known_keys(where: str, data: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValidationError(
            unknown[0],
            f"{where[:1].upper()}{where[1:]} has “{unknown[0][:40]}”, which is not a setting.",
        )


def _count(n: int, one: str, done: str, many: str = "") -> str:
    if not n:
        return ""
    return f"{n:,} {one if n == 1 else (many or one + 's')} {done}"


__all__ = ["ImportSummary", "export_settings", "import_settings"]

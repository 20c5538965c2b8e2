"""Their version beside yours: what a form shows when someone else saved the record while it was
open (deskapp.services.conflicts.ChangedMeanwhile). The form keeps what the person typed; this
names, field by field, what the other person's save holds where it differs."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from screens.widgets.untrusted import untrusted

__all__ = ["their_version_text"]


def their_version_text(
    theirs: Mapping[str, str], yours: Mapping[str, object], labels: Mapping[str, str]
) -> Text:
    """ "Their version: Phone +44 20 …  (yours: +44 161 …)", one line per field that differs
    ("" and None alike); a sentence when nothing differs."""
    lines = Text("Their version", style="bold")
    differing = [
        name for name, value in theirs.items() if name in yours and value != _text(yours[name])
    ]
    if not differing:
        lines.append(" holds what you typed: saving again changes nothing of theirs.")
        return lines
    lines.append(" (yours is in the form):")
    for name in differing:
        lines.append("\n  ")
        lines.append(labels.get(name, name.replace("_", " ").capitalize()), style="bold")
        lines.append("  ")
        lines.append_text(untrusted(theirs[name] or "(empty)", limit=80))
        lines.append("   yours: ", style="dim")
        lines.append_text(untrusted(_text(yours[name]) or "(empty)", limit=80, style="dim"))
    return lines


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

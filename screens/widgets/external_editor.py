"""Writing a text in the person's own editor ($VISUAL, $EDITOR, else vi), as git does."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["EditorFailed", "edit_in_editor"]


class EditorFailed(Exception):
    """The external editor could not run or gave up; str() says so for the person."""


def edit_in_editor(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Hand `text` to $VISUAL or $EDITOR (vi when neither is set) in a private temp file and
    return what the editor left there; the file is removed afterwards.

    Runs the editor in this terminal, so call it inside `App.suspend()`. Raises EditorFailed
    when the editor cannot start or exits with a failure (the text is then as it was).
    """
    environ = os.environ if environ is None else environ
    command = environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    argv = shlex.split(command) or ["vi"]
    handle, name = tempfile.mkstemp(prefix="deskapp-draft-", suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            finished = subprocess.run([*argv, name], check=False)
        except OSError as error:
            raise EditorFailed(
                f"Could not start the editor {argv[0]}: {error.strerror}; set VISUAL or EDITOR."
            ) from None
        if finished.returncode != 0:
            raise EditorFailed(
                f"The editor {argv[0]} stopped with status {finished.returncode}; "
                "the text is as it was."
            )
        edited = Path(name).read_text(encoding="utf-8", errors="replace")
    finally:
        Path(name).unlink(missing_ok=True)
    if edited.endswith("\n") and not text.endswith("\n"):
        edited = edited[:-1]  # editors end the file with a newline the text did not have
    return edited

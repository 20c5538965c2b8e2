"""A command's input file or output file, or stdin/stdout for "-", with a sentence for each
fault (input is read bounded)."""

from __future__ import annotations

import sys

from deskapp.errors import DeskError


def read_input(name: str, limit: int, kind: str, too_large: str) -> bytes:
    """At most `limit` bytes of the file `name` (stdin for "-"); DeskError with a sentence when
    it is missing, a folder, unreadable, or larger than `limit` (`too_large` says what then).

    `kind` names what the file should be ("mail file", "catalogue file")."""
    if name == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            raw = stream.read(limit + 1)
        else:  # a text-only stdin (an embedding program's)
            raw = sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape")
    else:
        from pathlib import Path

        path = Path(name).expanduser()
        try:
            with path.open("rb") as file:
                raw = file.read(limit + 1)
        except FileNotFoundError:
            raise DeskError(f"There is no file {path}.") from None
        except IsADirectoryError:
            raise DeskError(f"{path} is a folder, not a {kind}.") from None
        except OSError as error:
            raise DeskError(f"Cannot read {path}: {error.strerror or error}.") from None
    if len(raw) > limit:
        raise DeskError(too_large)
    return raw


def write_output(name: str, text: str) -> str | None:
    """Write `text` to the file `name`, or to stdout for "-"; returns the path written (None for
    stdout). DeskError with a sentence when the file cannot be written."""
    if name == "-":
        sys.stdout.write(text)
        return None
    from pathlib import Path

    path = Path(name).expanduser()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise DeskError(f"Cannot write {path}: {error.strerror or error}.") from None
    return str(path)

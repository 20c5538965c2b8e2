"""`sqlite:///desk.db` is relative to the working directory, `sqlite:////srv/desk.db` absolute
(as SQLAlchemy reads them); `doctor` and `db check` give the same sentence about a missing
folder or file, and neither creates the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskapp.cli import main
from deskapp.db import close_database, missing_database, open_database


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("DESKAPP_DATABASE_URL", raising=False)
    return tmp_path


def test_three_slashes_is_a_path_relative_to_the_working_directory(in_tmp: Path) -> None:
    open_database("sqlite:///relative.db")
    close_database()

    assert (in_tmp / "relative.db").is_file()
    assert not Path("/relative.db").exists()


def test_four_slashes_is_an_absolute_path(in_tmp: Path) -> None:
    open_database(f"sqlite:///{in_tmp}/absolute.db")  # the path starts with "/": four slashes
    close_database()

    assert (in_tmp / "absolute.db").is_file()


def test_doctor_and_db_check_say_the_same_about_a_missing_folder(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "sqlite:///nowhere/desk.db"
    sentence = f"The folder {in_tmp / 'nowhere'} for the database does not exist."

    assert main(["--db", url, "doctor"]) == 1
    doctor = capsys.readouterr().out
    assert main(["--db", url, "db", "check"]) == 1
    check = capsys.readouterr().err

    assert sentence in doctor
    assert sentence in check
    assert missing_database(url) == (True, sentence)


def test_doctor_and_db_check_say_the_same_about_a_missing_file_and_create_none(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "sqlite:///desk.db"
    sentence = f"There is no database at {in_tmp / 'desk.db'} yet"

    main(["--db", url, "doctor"])
    doctor = capsys.readouterr().out
    assert main(["--db", url, "db", "check"]) == 1
    check = capsys.readouterr().err

    assert sentence in doctor
    assert sentence in check
    assert not (in_tmp / "desk.db").exists()

"""The schema: migrations in order, upgrades that keep data, refusal of newer databases."""

from __future__ import annotations

import pytest
from old_rows import insert_old

from deskapp import migrations
from deskapp.db import db, open_database
from deskapp.errors import ConfigError
from deskapp.models import ALL_MODELS, Client, Contact


def test_fresh_database_reaches_latest_version(desk: str) -> None:
    assert migrations.current_version() == migrations.latest_version()
    for model in ALL_MODELS:
        assert model.table_exists(), model.__name__


def test_every_model_column_exists_after_upgrade(desk: str) -> None:
    """A model field added without a migration would break every query of that table."""
    for model in ALL_MODELS:
        table = model._meta.table_name
        columns = {column.name for column in db.get_columns(table)}
        wanted = {field.column_name for field in model._meta.sorted_fields}
        assert wanted <= columns, f"{table} lacks {wanted - columns}: add a migration"


def test_first_migration_database_upgrades_keeping_its_data(database_url: str) -> None:
    open_database(database_url)
    migrations.upgrade(target=1)
    assert migrations.current_version() == 1
    # Rows written the way the first release wrote them: only the columns it had.
    client = Client(number=1001, first_name="Mina", last_name="Okafor", email="mina@example.net")
    insert_old(client)
    insert_old(
        Contact(client=client, first_name="Ola", last_name="Okafor", email="billing@okafor.example")
    )

    applied = migrations.upgrade()

    assert [m.number for m in applied] == [m.number for m in migrations.all_migrations()[1:]]
    assert migrations.current_version() == migrations.latest_version()
    assert Client.get(Client.number == 1001).email == "mina@example.net"
    document = db.execute_sql(
        "SELECT document FROM client_search WHERE client_id = " + db.param,
        (Client._meta.primary_key.db_value(client.id),),
    ).fetchone()[0]
    assert "billing@okafor.example" in document and "c-1001" in document


def test_upgrade_twice_changes_nothing(desk: str) -> None:
    assert migrations.upgrade() == []


def test_database_newer_than_the_app_is_refused(desk: str) -> None:
    db.execute_sql(
        "INSERT INTO schema_version (version, name, applied_at) "
        "VALUES (999, 'future', '2030-01-01')"
    )
    with pytest.raises(ConfigError, match="newer than this deskapp"):
        migrations.ensure_current()


def test_older_database_is_asked_to_upgrade(database_url: str) -> None:
    open_database(database_url)
    migrations.upgrade(target=1)
    with pytest.raises(ConfigError, match="deskapp db upgrade"):
        migrations.ensure_current()

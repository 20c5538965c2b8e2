"""Bulk seeding for scale tests: a million realistic clients in minutes, on either backend.

Rows are made as plain tuples and written in batches, one transaction each: `executemany` on
SQLite, COPY on PostgreSQL. The search triggers (migration 0002, 0012) would rebuild a client's
document once per inserted client, contact and service row; inside each batch's transaction
they are switched off and the batch's documents are written in one INSERT … SELECT using the
migration's own document expression, then switched back on before the commit, so no other
session ever sees the table without them and an interrupted batch leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import cast

from deskapp import clock
from deskapp.db import db, is_postgres
from deskapp.demo.data import (
    CATALOGUE,
    COUNTRIES,
    CYCLE_MONTHS,
    FIRST_NAMES,
    LAST_NAMES,
    POSITIONS,
    DemoIds,
    PeopleMaker,
    add_months,
    ascii_slug,
    service_identifier,
)
from deskapp.migrations.m0012_search_reach import POSTGRES_DOCUMENT, SQLITE_DOCUMENT
from deskapp.models import Product, ProductPrice
from deskapp.services.numbers import reserve_numbers

BATCH_SIZES = {"sqlite": 50_000, "postgresql": 10_000}
"""Clients per transaction. On SQLite each commit rewrites index pages all over the file, so
bigger batches pay that once for more rows; on PostgreSQL a batch holds a lock that keeps
others from writing clients, so it stays short (about a second)."""
SEED_CACHE_KIB = -262_144
"""SQLite page cache while seeding: 256 MiB."""
STEP_SECONDS = 30
"""How far apart seeded clients signed up (a million of them span about a year)."""

# fmt: off
CLIENT_COLUMNS = (
    "id", "created_at", "version", "updated_at", "number", "status", "first_name", "last_name",
    "company", "email", "phone", "address1", "address2", "city", "region", "postcode", "country",
    "credit_cents", "support_minutes", "notes",
)
CONTACT_COLUMNS = (
    "id", "created_at", "version", "updated_at", "client_id", "first_name", "last_name", "email",
    "phone", "position", "address", "mail_general", "mail_invoice", "mail_support", "mail_product",
    "mail_domain", "is_billing",
)
SERVICE_COLUMNS = (
    "id", "created_at", "version", "updated_at", "client_id", "product_id", "identifier", "status",
    "cycle", "price_cents", "start_date", "next_due_date",
)
# fmt: on
SEARCH_TRIGGERS = {
    "sqlite": ("client_ai_search", "contact_ai_search", "service_ai_search"),
    "postgresql": (
        ("client", "client_search_refresh"),
        ("contact", "contact_search_refresh"),
        ("service", "service_search_refresh"),
    ),
}
"""The insert triggers of migration 0002 (0012 since) that the batch does the work of."""
_COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}


@dataclass(frozen=True)
class _Offer:
    """A product a seeded service can be: its key, cycle, price and identifier kind."""

    product_id: str
    cycle: str
    price_cents: int
    identifier: str
    months: int


@dataclass
class _Batch:
    """The rows of one batch, as tuples in the column order above."""

    clients: list[tuple]
    contacts: list[tuple]
    services: list[tuple]
    first_number: int
    last_number: int


def seed_clients(
    count: int,
    progress: Callable[[int, int], None] | None = None,
    seed: int = 7,
    *,
    batch_size: int | None = None,
) -> int:
    """Append `count` realistic clients (1–2 contacts each, most with a service); returns count.

    Client numbers are reserved in one go, so seeding beside a working desk takes its own
    range. `progress(done, total)` is called after each committed batch of `batch_size`
    (default: BATCH_SIZES for the backend). The same seed on the same database state and clock
    makes the same clients.
    """
    if count <= 0:
        return 0
    backend = "postgresql" if is_postgres() else "sqlite"
    offers = _offers()
    first = reserve_numbers("client", count)
    rng = random.Random(f"{seed}:{first}")
    maker = _ClientMaker(rng, offers, clock.now(), count)
    batches = maker.batches(first, count, batch_size or BATCH_SIZES[backend])
    write = _write_postgres if backend == "postgresql" else _write_sqlite
    done = 0
    with _bulk_pragmas() if backend == "sqlite" else contextlib.nullcontext():
        for batch in _made_ahead(batches):
            with db.atomic():
                write(batch)
            done += len(batch.clients)
            if progress is not None:
                progress(done, count)
    _refresh_statistics(backend)
    return done


def _refresh_statistics(backend: str) -> None:
    """After a bulk load, give the planner fresh statistics and, on PostgreSQL, fold the
    trigram index's pending list into the index (searches are ~10 ms slower until then)."""
    if backend == "postgresql":
        db.execute_sql("SELECT gin_clean_pending_list('client_search_trgm')")
        for table in ("client", "contact", "service", "client_search"):
            db.execute_sql(f"ANALYZE {table}")
    else:
        db.execute_sql("ANALYZE")


@contextlib.contextmanager
def _bulk_pragmas() -> Iterator[None]:
    """SQLite, for the length of the seeding: no fsync and a bigger page cache.

    At a million clients most of the time went into fsync at WAL checkpoints (every batch
    rewrites pages all over the name and e-mail indexes). Without it, an operating-system crash
    during seeding can damage the file; a crash of this process cannot. Scale-test desks only.
    """
    if db.in_transaction():  # SQLite refuses to change the safety level inside one
        yield
        return
    saved = {
        name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]
        for name in ("synchronous", "cache_size")
    }
    db.execute_sql("PRAGMA synchronous = OFF")
    db.execute_sql(f"PRAGMA cache_size = {SEED_CACHE_KIB}")
    try:
        yield
    finally:
        for name, value in saved.items():
            db.execute_sql(f"PRAGMA {name} = {int(value)}")


def _made_ahead(batches: Iterator[_Batch]) -> Iterator[_Batch]:
    """Make the next batch in a thread while this one is written (the database drivers release
    the GIL while they wait, so making and writing overlap on two cores)."""
    ready: queue.Queue[_Batch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def make() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ready.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(None)
        except BaseException as error:  # noqa: BLE001 - handed to the writing thread
            ready.put(error)

    maker = threading.Thread(target=make, name="seed-maker", daemon=True)
    maker.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        maker.join()


def _offers() -> list[_Offer]:
    """The recurring products services can be seeded from; the demo catalogue if there is none."""
    query = (
        ProductPrice.select(
            ProductPrice.product, ProductPrice.cycle, ProductPrice.price_cents, Product.name
        )
        .join(Product)
        .where(Product.orderable == True, ProductPrice.cycle != "One-time")  # noqa: E712
        .order_by(Product.name, ProductPrice.cycle)
        .limit(200)
        .tuples()
    )
    # .tuples() yields plain tuples, which peewee's hints cannot say.
    rows = cast("list[tuple[uuid.UUID | str, str, int, str]]", list(query))
    if not rows:
        from deskapp.demo.catalogue import insert_catalogue

        with db.atomic():
            insert_catalogue(DemoIds(random.Random("catalogue")), clock.now())
        return _offers()
    kinds = {product.name: product.identifier for product in CATALOGUE}
    return [
        _Offer(
            product_id.hex if hasattr(product_id, "hex") else str(product_id),
            cycle,
            price,
            kinds.get(name, "domain"),
            CYCLE_MONTHS.get(cycle, 1),
        )
        for product_id, cycle, price, name in rows
    ]


class _ClientMaker:
    """Makes the rows of seeded clients as fast as Python allows: tuples, no model objects."""

    def __init__(self, rng: random.Random, offers: list[_Offer], now: dt.datetime, count: int):
        self.rng = rng
        self.people = PeopleMaker(rng)
        self.ids = DemoIds(rng)
        self.offers = offers
        self.now = now.replace(microsecond=0)
        self.start = self.now - dt.timedelta(seconds=STEP_SECONDS * count)

    def batches(self, first: int, count: int, batch_size: int) -> Iterator[_Batch]:
        """The rows of clients first … first+count-1, `batch_size` clients at a time."""
        for offset in range(0, count, batch_size):
            size = min(batch_size, count - offset)
            batch = _Batch([], [], [], first + offset, first + offset + size - 1)
            for index in range(offset, offset + size):
                self._client(batch, first + index, index)
            yield batch

    def _client(self, batch: _Batch, number: int, index: int) -> None:
        rng, people = self.rng, self.people
        person = people.person()
        created = self.start + dt.timedelta(seconds=STEP_SECONDS * index)
        stamp = str(created)
        client_id = self.ids.at(created)
        roll = rng.random()
        status = "Active" if roll < 0.85 else "Inactive" if roll < 0.96 else "Closed"
        # fmt: off
        batch.clients.append((
            client_id, stamp, 1, stamp, number, status, person.first_name, person.last_name,
            person.company, person.email, person.phone, person.address1, "", person.city,
            person.region, person.postcode, person.country, 0, 0, "",
        ))
        second = rng.random() < (0.6 if person.company else 0.15)
        batch.contacts.append((
            self.ids.at(created), stamp, 1, stamp, client_id, person.first_name, person.last_name,
            person.email, person.phone, "Owner" if person.company else "", "", True,
            not second, True, rng.random() < 0.3, rng.random() < 0.2, not second,
        ))
        if second:
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            domain = person.email.rpartition("@")[2]
            email = people.email(first_name, last_name, domain)
            if email == person.email:
                email = f"accounts@{domain}"
            batch.contacts.append((
                self.ids.at(created), stamp, 1, stamp, client_id, first_name, last_name, email,
                people.phone(_COUNTRY_BY_CODE[person.country]), rng.choice(POSITIONS), "", True,
                True, rng.random() < 0.5, False, False, True,
            ))
        if rng.random() < 0.6:
            offer = rng.choice(self.offers)
            domain = person.email.rpartition("@")[2]
            if domain.startswith(("example.", "mail.")):
                domain = f"{ascii_slug(person.last_name)}{number}.example"
            start = created.date()
            months_since = (self.now.year - start.year) * 12 + self.now.month - start.month
            periods = months_since // offer.months + 1
            due = add_months(start, periods * offer.months)
            batch.services.append((
                self.ids.at(created), stamp, 1, stamp, client_id, offer.product_id,
                service_identifier(rng, offer.identifier, domain, number),
                "Active" if status == "Active" else "Cancelled", offer.cycle, offer.price_cents,
                start, due if status == "Active" else None,
            ))
        # fmt: on


def _write_sqlite(batch: _Batch) -> None:
    cursor = db.connection().cursor()
    triggers = cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)",
        SEARCH_TRIGGERS["sqlite"],
    ).fetchall()
    for name, _ in triggers:
        cursor.execute(f'DROP TRIGGER "{name}"')
    cursor.executemany(_insert_sql("client", CLIENT_COLUMNS, "?"), batch.clients)
    cursor.executemany(_insert_sql("contact", CONTACT_COLUMNS, "?"), batch.contacts)
    cursor.executemany(
        _insert_sql("service", SERVICE_COLUMNS, "?"),
        [(*row[:10], str(row[10]), row[11] and str(row[11])) for row in batch.services],
    )
    cursor.execute(
        f"INSERT INTO client_search (client_id, document) SELECT c.id, {SQLITE_DOCUMENT} "
        "FROM client c WHERE c.number BETWEEN ? AND ?",
        (batch.first_number, batch.last_number),
    )
    for _, sql in triggers:
        cursor.execute(sql)


def _write_postgres(batch: _Batch) -> None:
    cursor = db.connection().cursor()
    cursor.execute("SET LOCAL synchronous_commit = off")  # a crash loses a batch, never the data
    for table, trigger in SEARCH_TRIGGERS["postgresql"]:
        cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
    for table, columns, rows in (
        ("client", CLIENT_COLUMNS, batch.clients),
        ("contact", CONTACT_COLUMNS, batch.contacts),
        ("service", SERVICE_COLUMNS, batch.services),
    ):
        with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    cursor.execute(
        f"INSERT INTO client_search (client_id, document) SELECT c.id, {POSTGRES_DOCUMENT} "
        "FROM client c WHERE c.number BETWEEN %s AND %s",
        (batch.first_number, batch.last_number),
    )
    for table, trigger in SEARCH_TRIGGERS["postgresql"]:
        cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')


def _insert_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    names = ", ".join(f'"{column}"' for column in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join([mark] * len(columns))})'

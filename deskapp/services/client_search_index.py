"""The "contains" tier of client search over the trigram index of migration 0002.

A trigram index answers "which documents contain q" by intersecting the document lists of q's
trigrams. In a large index many trigrams are in most documents ("exa", "com", "ple" of every
email address), and both FTS5 and pg_trgm's GIN read those lists through, so one long query
can cost tens of milliseconds. Beyond SMALL_INDEX documents a sample of about a thousand
documents, taken every ten minutes, tells which pieces of the query are rare:
- SQLite (FTS5 trigram tokenizer, every character counts): the few trigrams that together
  are rarest find candidates, checked here for the whole query (case-folded, as FTS5 folds);
  the phrase query takes over when too many candidates come, and serves common text directly;
- PostgreSQL (pg_trgm, which indexes words of letters and digits): common text is read in
  table order until a page is full; else GIN on the query's uncommon trigrams when few
  documents have them all; else LIKE on the query less very common words at its ends.
  strpos(), which no index serves, checks the whole query whenever the index saw less of it.
Results are the same either way (tests compare every plan); only the cost differs.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from functools import cached_property

from deskapp.db import db, is_postgres

COLUMNS = "c.id, c.number, c.first_name, c.last_name, c.company, c.email, c.status, c.credit_cents"
"""The client columns every tier selects, in ClientSummary order."""
TRIGRAM = 3
"""The shortest query a trigram index can answer."""
SMALL_INDEX = 50_000
"""Up to this many documents the whole query goes to the index as it is."""
RARE_GRAMS = 3
"""SQLite: how many of the query's rarest trigrams find the candidates."""
RARE_SHARE = 0.05
"""SQLite: trigrams in more of the sampled documents than this do not find candidates."""
CANDIDATE_LIMIT = 2_000
"""SQLite: candidates checked before the phrase query takes over."""
COMMON_GRAM_SHARE = 0.2
"""PostgreSQL: a trigram in more documents than this share is left to strpos() to check."""
GIN_GRAMS = 6
"""PostgreSQL: at most this many uncommon trigrams go to the index."""
GIN_SHARE = 0.003
"""PostgreSQL: uncommon trigrams go to the index when at most this share has them all."""
VERY_COMMON_SHARE = 0.5
"""PostgreSQL: a word at an end of the query in more documents than this is left to strpos()."""
SCAN_SHARE = 0.005
"""Text in at least this share of documents fills a page from the first matches found:
PostgreSQL reads the table in order, SQLite reads the phrase query's first results."""
INFORMATIVE = 20
"""Sampled documents that must be left for "every one has it" to mean a trigram is useless."""
SAMPLE_SIZE = 1_000
"""About how many documents the sample holds."""
SAMPLE_MAX_AGE = 600.0
"""Seconds a sample serves before it is taken again."""

_WORD = re.compile(r"[^\W_]+")
_PLAIN_GRAM = re.compile(r"[A-Za-z0-9]{3}")
"""Trigrams pg_trgm indexes as they are, whatever the locale: three ASCII letters or digits."""


def status_filter(status: str | None, postgres: bool) -> tuple[str, list[object]]:
    """The SQL that keeps clients of one status, to append to a WHERE clause, and its values."""
    if status is None:
        return "", []
    # Written so no index serves it: the planner stays on the match index, not client_status.
    return (" AND c.status || '' = ?" if postgres else " AND +c.status = ?"), [status]


def contains(text: str, status: str | None, wanted: int) -> Iterator[tuple]:
    """Client rows (COLUMNS) whose search document contains `text`, in index order, at least
    `wanted` of them when there are; the caller stops reading when it has enough."""
    if len(text) < TRIGRAM:
        return iter(())
    if is_postgres():
        return _postgres(text, status, wanted)
    return _sqlite(text, status, wanted)


def _execute(sql: str, params: list[object]) -> object:
    if is_postgres():
        sql = sql.replace("?", "%s")
    return db.execute_sql(sql, tuple(params))


def _sqlite(text: str, status: str | None, wanted: int) -> Iterator[tuple]:
    sample = _sample()
    # Common text fills a page from the first stretch of the phrase's results; rare text is
    # found through its rarest trigrams.
    if (
        sample.rows > SMALL_INDEX
        and len(text) > TRIGRAM + 1
        and (sample.occurrences(text.lower()) < SCAN_SHARE)
    ):
        rarest = _rarest_grams(text, sample, lambda window: True, RARE_GRAMS, RARE_SHARE)
        decided = yield from _sqlite_candidates(text, rarest, status, wanted)
        if decided:
            return
    where, params = status_filter(status, postgres=False)
    sql = (
        f"SELECT {COLUMNS} FROM client_search_fts f "
        "CROSS JOIN client_search s ON s.rowid = f.rowid "
        "CROSS JOIN client c ON c.id = s.client_id "
        f"WHERE client_search_fts MATCH ?{where} ORDER BY f.rowid LIMIT ?"
    )
    # Rows the rare trigrams already gave come again here; the caller skips what it has.
    yield from _execute(sql, [_fts_phrase(text), *params, wanted])  # type: ignore[misc]


def _sqlite_candidates(
    text: str, grams: list[str], status: str | None, wanted: int
) -> Generator[tuple, None, bool]:
    """Documents with all of `grams`, checked for `text` here (case-folded, as FTS5 folds),
    and the clients of those that have it, a batch at a time. False when CANDIDATE_LIMIT
    documents were not enough to decide."""
    match = " AND ".join(_fts_phrase(gram) for gram in grams)
    cursor = db.execute_sql(
        "SELECT s.client_id, s.document FROM client_search_fts f "
        "CROSS JOIN client_search s ON s.rowid = f.rowid "
        "WHERE client_search_fts MATCH ? ORDER BY f.rowid LIMIT ?",
        (match, CANDIDATE_LIMIT),
    )
    needle = text.casefold()
    where, params = status_filter(status, postgres=False)
    checked, batch = 0, []
    try:
        for key, document in cursor:
            checked += 1
            if needle in document or needle in document.casefold():
                batch.append(key)
            if len(batch) == wanted:
                yield from _clients_in_order(batch, where, params)
                batch = []
    finally:
        cursor.close()
    yield from _clients_in_order(batch, where, params)
    return checked < CANDIDATE_LIMIT


def _clients_in_order(keys: list[str], where: str, params: list[object]) -> list[tuple]:
    """The client rows (COLUMNS) of `keys` that pass `where`, in the order of `keys`."""
    if not keys:
        return []
    marks = ", ".join("?" for _ in keys)
    rows = db.execute_sql(
        f"SELECT {COLUMNS} FROM client c WHERE c.id IN ({marks}){where}", (*keys, *params)
    ).fetchall()
    by_key = {row[0]: row for row in rows}
    return [by_key[key] for key in keys if key in by_key]


def _uncommon_grams(text: str, sample: _Sample) -> list[str]:
    """PostgreSQL: up to GIN_GRAMS of the query's indexable trigrams, lower-cased, leaving out
    common ones. GIN intersects lists of a few percent of the documents quickly, and each one
    spares rechecking rows in the table; lists of most documents cost more than they save."""
    limit = COMMON_GRAM_SHARE * max(1, len(sample.documents))

    def usable(window: str) -> bool:
        return bool(_PLAIN_GRAM.fullmatch(window)) and sample.gram_counts[window.lower()] <= limit

    chosen = _rarest_grams(text, sample, usable, GIN_GRAMS, COMMON_GRAM_SHARE)
    # Overlapping trigrams of one word narrow little more, but GIN intersects them cheaply.
    others = sorted(
        {
            text[i : i + TRIGRAM].lower()
            for i in range(len(text) - 2)
            if usable(text[i : i + TRIGRAM])
        }
        - set(chosen),
        key=lambda gram: sample.gram_counts[gram],
    )
    return (chosen + others)[:GIN_GRAMS]


def _rarest_grams(
    text: str, sample: _Sample, usable: Callable[[str], object], how_many: int, rare_share: float
) -> list[str]:
    """Up to `how_many` trigrams of `text` (lower-cased) that together are in the fewest
    documents: the rarest first, then each one rarest among the sampled documents holding
    those chosen, else one from a word no chosen trigram lies in.

    Trigrams of one word ("hug", "ugh", "ghe" of "hughes") come with each other, so a second
    one narrows little; the sample shows that while enough documents are left. Once too few
    are, a trigram of another word is the better bet: "n@l", ".la" and "rse" of
    lena.larsen@larsen.example all mean "larsen", and "len" narrows where they cannot. Only
    trigrams in at most `rare_share` of the sample qualify (the rarest alone when none do).
    """
    first_at: dict[str, int] = {}
    word_of: dict[str, str] = {}
    word_at = [""] * len(text)
    for word in _WORD.finditer(text):
        word_at[word.start() : word.end()] = [word.group().lower()] * len(word.group())
    for i in range(len(text) - 2):
        if usable(text[i : i + TRIGRAM]):
            gram = text[i : i + TRIGRAM].lower()
            first_at.setdefault(gram, i)
            inside = set(word_at[i : i + TRIGRAM])
            word_of.setdefault(gram, inside.pop() if len(inside) == 1 else "")
    counts = sample.gram_counts
    ranked = sorted(first_at, key=lambda gram: (counts[gram], first_at[gram]))
    limit = rare_share * max(1, len(sample.documents))
    pool = [gram for gram in ranked if counts[gram] <= limit] or ranked[:1]
    chosen: list[str] = []
    left = sample.documents

    def narrowing(gram: str) -> tuple[int, bool, bool, int]:
        together = sum(gram in document for document in left) if len(left) >= INFORMATIVE else 0
        known_word = not word_of[gram] or word_of[gram] in {word_of[other] for other in chosen}
        near = any(abs(first_at[gram] - first_at[other]) < TRIGRAM for other in chosen)
        return (together, known_word, near, counts[gram])

    while pool and len(chosen) < how_many:
        best = min(pool, key=narrowing) if chosen else pool[0]
        if chosen and len(left) >= INFORMATIVE and narrowing(best)[0] == len(left):
            break  # every document left has it: it narrows nothing
        chosen.append(best)
        pool.remove(best)
        left = [document for document in left if best in document]
    return chosen


def _fts_phrase(text: str) -> str:
    """`text` as one FTS5 phrase, whatever it contains (inner quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


def _postgres(text: str, status: str | None, wanted: int) -> Iterator[tuple]:
    """Three plans, chosen with the sample: read the table in order when the text is common;
    GIN on the query's uncommon trigrams when few documents have them all; else LIKE on the
    query less the very common words at its ends. strpos(), which no index serves, checks the
    whole query wherever the index was given less than all of it."""
    where, params = status_filter(status, postgres=True)
    base = f"SELECT {COLUMNS} FROM client_search s JOIN client c ON c.id = s.client_id WHERE "
    check = f"strpos(s.document, lower(?)) > 0{where} LIMIT ?"
    lowered = text.lower()
    sample = _sample()
    like = text
    if sample.rows > SMALL_INDEX:
        if sample.occurrences(lowered) >= SCAN_SHARE or not _indexable(text):
            yield from _execute(base + check, [text, *params, wanted])  # type: ignore[misc]
            return
        grams = _uncommon_grams(text, sample)
        if grams and grams != [lowered] and sample.share(*grams) <= GIN_SHARE:
            sql = _rare_matches(" AND ".join("s.document LIKE ?" for _ in grams), where)
            values = [f"%{gram}%" for gram in grams]
            yield from _execute(sql, [*values, text, *params, wanted])  # type: ignore[misc]
            return
        like = _without_common_ends(text, sample)
    if like != text:
        sql = _rare_matches("s.document LIKE lower(?) ESCAPE '\\'", where)
        yield from _execute(sql, [f"%{escape_like(like)}%", text, *params, wanted])  # type: ignore[misc]
        return
    sql = f"{base}s.document LIKE lower(?) ESCAPE '\\'{where} LIMIT ?"
    yield from _execute(sql, [f"%{escape_like(text)}%", *params, wanted])  # type: ignore[misc]


def _rare_matches(terms: str, where: str) -> str:
    """SQL for the few documents that pass `terms` (served by the index) and hold the whole
    query (strpos). A CTE is planned for all its rows, so it takes the bitmap; with the LIMIT
    in view the planner may bet on a sequential scan stopping early, and lose."""
    return (
        f"WITH found AS MATERIALIZED (SELECT s.client_id FROM client_search s "
        f"WHERE {terms} AND strpos(s.document, lower(?)) > 0) "
        f"SELECT {COLUMNS} FROM found s JOIN client c ON c.id = s.client_id "
        f"WHERE TRUE{where} LIMIT ?"
    )


def _indexable(text: str) -> bool:
    """Whether pg_trgm finds a trigram to look up in LIKE '%text%'. It pads a word with two
    spaces where the pattern shows its start and one where it shows its end, and takes the
    trigrams of that: "& Le" gives "  l" and " le", "l &" gives none, and then the index
    would hand back every document to check."""
    return any(
        len(word.group()) + 2 * (word.start() > 0) + (word.end() < len(text)) >= TRIGRAM
        for word in _WORD.finditer(text)
    )


def _without_common_ends(text: str, sample: _Sample) -> str:
    """The query less its first and last words where most documents have them ("example" of
    name@example.com), as long as a word of three characters or more is left."""
    words = list(_WORD.finditer(text))
    start, end = 0, len(text)
    while len(words) > 1 and sample.share(words[-1].group().lower()) > VERY_COMMON_SHARE:
        end = words.pop().start()
    while len(words) > 1 and sample.share(words[0].group().lower()) > VERY_COMMON_SHARE:
        start = words.pop(0).end()
    return text[start:end] if any(len(w.group()) >= TRIGRAM for w in words) else text


def escape_like(text: str) -> str:
    """`text` matched literally by LIKE ... ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Sample:
    """Documents of the search index, taken at random to judge how common a piece of text is."""

    def __init__(self, taken: float, rows: int, documents: list[str] | None = None) -> None:
        self.taken = taken
        """When the sample was taken (monotonic seconds)."""
        self.rows = rows
        """About how many documents the index holds."""
        self.documents = documents or []
        """The sampled documents, lower-cased."""

    @cached_property
    def gram_counts(self) -> Counter[str]:
        """In how many sampled documents each trigram occurs."""
        counts: Counter[str] = Counter()
        for text in self.documents:
            counts.update({text[i : i + TRIGRAM] for i in range(len(text) - 2)})
        return counts

    @cached_property
    def joined(self) -> str:
        """The documents in one string, NUL-separated (no document holds a NUL)."""
        return "\x00".join(self.documents)

    def share(self, *pieces: str) -> float:
        """The share of sampled documents that contain every one of `pieces`."""
        if not self.documents:
            return 0.0
        found = sum(all(piece in text for piece in pieces) for text in self.documents)
        return found / len(self.documents)

    def occurrences(self, piece: str) -> float:
        """How often `piece` occurs per sampled document: counted at C speed, and as good as
        share() for a piece that a document rarely holds twice (a whole query)."""
        return self.joined.count(piece) / len(self.documents) if self.documents else 0.0


_samples: dict[int, _Sample] = {}
_samples_lock = threading.Lock()


def _sample() -> _Sample:
    """The open database's sample, taken again every SAMPLE_MAX_AGE seconds."""
    key, now = id(db.obj), time.monotonic()
    with _samples_lock:
        sample = _samples.get(key)
    if sample is not None and now - sample.taken < SAMPLE_MAX_AGE:
        return sample
    sample = _take_sample(now)
    with _samples_lock:
        _samples[key] = sample
    return sample


def _take_sample(now: float) -> _Sample:
    if is_postgres():
        rows = int(
            db.execute_sql(
                "SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = 'client_search'::regclass"
            ).fetchone()[0]
        )
        if rows <= SMALL_INDEX:
            return _Sample(now, rows)
        percent = min(100.0, 100.0 * SAMPLE_SIZE / rows)
        found = db.execute_sql(
            "SELECT document FROM client_search TABLESAMPLE SYSTEM (%s) REPEATABLE (7)",
            (percent,),
        )
        return _Sample(now, rows, [document.lower() for (document,) in found])
    low, high = db.execute_sql("SELECT MIN(rowid), MAX(rowid) FROM client_search").fetchone()
    rows = 0 if low is None else high - low + 1
    if rows <= SMALL_INDEX:
        return _Sample(now, rows)
    if rows <= SAMPLE_SIZE:
        found = db.execute_sql("SELECT document FROM client_search LIMIT ?", (SAMPLE_SIZE,))
        return _Sample(now, rows, [document.lower() for (document,) in found])
    chooser, documents = random.Random(rows), []
    for _ in range(SAMPLE_SIZE // 50):
        found = db.execute_sql(
            "SELECT document FROM client_search WHERE rowid >= ? ORDER BY rowid LIMIT 50",
            (chooser.randint(low, high),),
        )
        documents += [document.lower() for (document,) in found]
    return _Sample(now, rows, documents)


def forget_samples() -> None:
    """Drop every sample (tests, and after a bulk load that changed what is common)."""
    with _samples_lock:
        _samples.clear()

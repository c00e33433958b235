"""The search query: identifiers, names (typos, accents and surname order forgiven) and words.

Three ways in, then one ranking:

- identifiers: the box is normalised as the ingest normalises a value (``identifiers.detect``,
  the phone in the user's country, the compact form of plates and serial numbers) and looked up
  exactly in ``entity_value``;
- names: the matching package's blocking keys of the query (``names.blocking_keys``: phonetic
  surnames with the given name's initial, the surname pair, given name + surname prefix) are
  looked up in ``match_key``, plus each word's phonetic surname key, so "Rodrigez" or "Rodriguez
  Maria" meet "María Rodríguez";
- words: the full-text index (FTS5 on SQLite, tsvector and trigrams on PostgreSQL), on the
  folded words and on their first letters, which catches a typo late in a word.

Candidates are ranked by how well the query's words agree with the record's caption (exact,
phonetic or one-typo agreement of folded words, in any order), identifiers first. Only ids come
out: what the user may see of them is the policy's decision.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rigour.text import levenshtein
from sqlalchemy import Connection, and_, bindparam, or_, select, text

from vinculo.identifiers import detect, fold_name, normalise_phone
from vinculo.names import blocking_keys, canonical_given, parse_person_name, phonetic
from vinculo.names.compare import is_typo
from vinculo.store.tables import Agency, Entity, EntityValue, MatchKey

#: At most this many results are ranked and paged through (a search is a lead, not an export).
MAX_RESULTS = 500
#: Candidates read from each way in before ranking.
MAX_CANDIDATES = 2000
#: Below this agreement of words a name candidate is noise (a namesake's initial, a shared key).
MIN_NAME_SCORE = 0.5
#: The loose ways in (first letters of words, phonetic surname ranges) are tried only when the
#: precise ones found fewer records than this.
ENOUGH = 20
#: How many first letters of each word the loose word search keeps.
PREFIX = 4

_WORD_RE = re.compile(r"\w+")
_SEPARATORS = re.compile(r"[\s\-./]")
#: Kinds of ``entity_value`` that hold identifiers (names and dates are searched otherwise).
IDENTIFIER_KINDS = (
    "phone", "national_id", "passport", "iban", "imo", "mmsi", "container", "vin", "crypto",
    "email", "firearm_serial", "vehicle_registration", "registration", "reference", "bic",
)  # fmt: skip
#: Kinds whose normalised value is the compact upper-case form (plates, serials, references).
COMPACT_KINDS = (
    "firearm_serial", "vehicle_registration", "registration", "reference", "container", "vin",
    "passport", "national_id", "imo", "mmsi", "iban",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Filters:
    schema: str | None = None
    #: A criminal market (``drugs``, ``firearms``...).
    market: str | None = None
    #: The owner agency's country, ISO 3166 alpha-2.
    country: str | None = None
    agency: str | None = None
    #: Recorded or updated on or after / on or before these days (UTC).
    since: dt.date | None = None
    until: dt.date | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "schema": self.schema,
            "market": self.market,
            "country": self.country,
            "agency": self.agency,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(slots=True)
class Found:
    #: Record ids, best first, at most ``MAX_RESULTS``.
    ids: list[str] = field(default_factory=list)
    #: How each record was found: ``identifier``, ``name`` or ``text``.
    how: dict[str, str] = field(default_factory=dict)
    #: The kind of identifier the query was read as (``phone``, ``iban``...), if any.
    identifier_kind: str | None = None
    #: True when more records matched than ``MAX_RESULTS``.
    truncated: bool = False


def words_of(value: str) -> list[str]:
    """Folded words (lower case, no accents): what the index and the ranking compare."""
    return _WORD_RE.findall(fold_name(value))


def identifier_values(query: str, region: str | None = None) -> tuple[set[str], str | None]:
    """The normalised forms ``query`` may be stored under, and the kind it was read as."""
    values: set[str] = set()
    kind: str | None = None
    ident = detect(query, region)
    if ident is not None and ident.value:
        values.add(ident.value)
        kind = ident.kind
    if region and any(c.isdigit() for c in query):
        phone = normalise_phone(query, region)
        if phone.valid and phone.value:
            values.add(phone.value)
            kind = kind or phone.kind
    compact = _SEPARATORS.sub("", query.strip()).upper()
    if len(compact) >= 4 and any(c.isdigit() for c in compact):
        values.add(compact)
    return values, kind


def name_keys(query: str) -> set[str]:
    """Blocking keys of the query read as a person's name (the matching index's keys)."""
    name = parse_person_name(query)
    return set(blocking_keys(name))


def key_prefixes(words: Sequence[str]) -> list[str]:
    """Key ranges for single words: any record with this phonetic surname, or this given name
    with any surname (``s:<code>:``, ``gp:<code>:``)."""
    out: list[str] = []
    for word in words:
        if len(word) < 3 or word.isdigit():
            continue
        out.append(f"s:{phonetic(word)}:")
        given = canonical_given(word)
        first = given.split()[0] if given else word
        out.append(f"gp:{phonetic(first)}:")
    return out


def word_score(query_words: Sequence[str], caption: str) -> float:
    """How well the query's words agree with a caption, 0 to 1, in any order: 1 for an exact
    word, 0.9 for a one-letter typo, 0.8 for the same sound or a wider clerical typo, 0.6 for a
    prefix of at least 3 letters."""
    if not query_words:
        return 0.0
    target = set(words_of(caption))
    if not target:
        return 0.0
    total = 0.0
    for word in query_words:
        if word in target:
            total += 1.0
            continue
        best = 0.0
        for other in target:
            if len(word) >= 3 and (is_typo(word, other) or phonetic(word) == phonetic(other)):
                # The fewer edits, the closer: "rodrigez" is nearer "rodriguez" than "rodrigues".
                best = max(best, 0.9 if levenshtein(word, other, max_edits=2) <= 1 else 0.8)
            elif len(word) >= 3 and other.startswith(word):
                best = max(best, 0.6)
        total += best
    return total / len(query_words)


def _identifier_ids(conn: Connection, values: set[str]) -> list[str]:
    if not values:
        return []
    stmt = (
        select(EntityValue.entity_id)
        .where(
            EntityValue.kind.in_(IDENTIFIER_KINDS),
            EntityValue.value.in_(sorted(values)),
        )
        .limit(MAX_CANDIDATES)
    )
    return list(dict.fromkeys(r[0] for r in conn.execute(stmt)))


def _key_ids(conn: Connection, keys: set[str], prefixes: Sequence[str]) -> list[str]:
    conditions: list[Any] = []
    if keys:
        conditions.append(MatchKey.key.in_(sorted(keys)))
    # A range on the primary key, not LIKE: it uses the index on every dialect and collation.
    conditions.extend(and_(MatchKey.key >= p, MatchKey.key < p[:-1] + ";") for p in prefixes)
    if not conditions:
        return []
    stmt = select(MatchKey.entity_id).where(or_(*conditions)).limit(MAX_CANDIDATES)
    return list(dict.fromkeys(r[0] for r in conn.execute(stmt)))


_SQLITE_WORDS = (
    "SELECT t.entity_id FROM entity_fts f JOIN entity_text t ON t.rowid = f.rowid "
    "WHERE entity_fts MATCH :q LIMIT :limit"
)
_POSTGRES_WORDS = (
    "SELECT t.entity_id FROM entity_text t "
    "WHERE to_tsvector('simple', t.text) @@ to_tsquery('simple', :q) LIMIT :limit"
)
_POSTGRES_SIMILAR = (
    "SELECT t.entity_id FROM entity_text t WHERE :raw <% t.text "
    "ORDER BY word_similarity(:raw, t.text) DESC LIMIT :limit"
)


def _text_ids(conn: Connection, terms: Sequence[str], similar: bool = False) -> list[str]:
    """Records whose indexed text holds every term as a word prefix; ``similar`` adds, on
    PostgreSQL, the records whose text has a word like the query's (trigrams)."""
    if not terms:
        return []
    # Folded word characters only: user input never reaches FTS5 or tsquery syntax.
    if conn.dialect.name == "sqlite":
        q = " ".join(f'"{w}"*' for w in terms)
        rows = conn.execute(text(_SQLITE_WORDS), {"q": q, "limit": MAX_CANDIDATES})
    else:
        q = " & ".join(f"{w}:*" for w in terms)
        rows = conn.execute(text(_POSTGRES_WORDS), {"q": q, "limit": MAX_CANDIDATES})
    found = dict.fromkeys(r[0] for r in rows)
    if similar and conn.dialect.name != "sqlite" and len(found) < MAX_CANDIDATES:
        rows = conn.execute(
            text(_POSTGRES_SIMILAR), {"raw": " ".join(terms), "limit": MAX_CANDIDATES}
        )
        found.update((r[0], None) for r in rows)
    return list(found)


_CANDIDATES = (
    select(
        Entity.id,
        Entity.caption,
        Entity.schema,
        Entity.markets,
        Entity.agency_code,
    )
    .join(Agency, Agency.code == Entity.agency_code)
    .where(Entity.id.in_(bindparam("ids", expanding=True)))
)


def _candidates(conn: Connection, ids: Iterable[str], filters: Filters) -> list[Any]:
    stmt = _CANDIDATES
    if filters.schema:
        stmt = stmt.where(Entity.schema == filters.schema)
    if filters.agency:
        stmt = stmt.where(Entity.agency_code == filters.agency)
    if filters.country:
        stmt = stmt.where(Agency.country == filters.country.upper())
    if filters.since:
        start = dt.datetime.combine(filters.since, dt.time(), dt.UTC)
        stmt = stmt.where(Entity.updated_at >= start)
    if filters.until:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        stmt = stmt.where(Entity.updated_at < end)
    wanted = list(ids)
    rows: list[Any] = []
    for start_at in range(0, len(wanted), 500):
        rows.extend(conn.execute(stmt, {"ids": wanted[start_at : start_at + 500]}))
    if filters.market:
        rows = [r for r in rows if filters.market in (r.markets or [])]
    return rows


def find(
    conn: Connection,
    query: str,
    filters: Filters | None = None,
    region: str | None = None,
) -> Found:
    """Record ids for ``query`` (names or identifiers), best first. ``region``: the searching
    agency's country, for phone numbers written without their country code.

    The precise ways in come first (identifiers, every word in the index, the name's blocking
    keys); the loose ones (word prefixes, phonetic surname ranges), which bring many namesakes
    on a large installation, only when the precise ones found fewer than ``ENOUGH`` records."""
    filters = filters or Filters()
    query = query.strip()[:200]
    result = Found()
    if not query:
        return result
    values, result.identifier_kind = identifier_values(query, region)
    words = words_of(query)
    letters = [w for w in words if not w.isdigit()]
    how: dict[str, str] = {}
    scored: dict[str, tuple[float, str]] = {}
    exact_text: set[str] = set()

    def rank(ids: Iterable[str], way: str) -> None:
        fresh = [i for i in ids if i not in how]
        how.update((i, way) for i in fresh)
        if way == "text":
            exact_text.update(fresh)
        for row in _candidates(conn, fresh, filters):
            if how[row.id] == "identifier":
                score = 2.0
            else:
                score = word_score(words, row.caption or "")
                if score < MIN_NAME_SCORE:
                    if row.id not in exact_text:
                        continue
                    # The words are in the record (an alias, a number), not in its caption.
                    score = MIN_NAME_SCORE
            scored[row.id] = (score, fold_name(row.caption or ""))

    rank(_identifier_ids(conn, values), "identifier")
    rank(_text_ids(conn, words), "text")
    if letters:
        rank(_key_ids(conn, name_keys(query), ()), "name")
    if len(scored) < ENOUGH:
        loose = [w[:PREFIX] if len(w) > PREFIX else w for w in words]
        if loose != words:
            rank(_text_ids(conn, loose, similar=True), "text")
        rank(_key_ids(conn, set(), key_prefixes(letters)), "name")
    ordered = sorted(scored.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
    result.truncated = len(ordered) > MAX_RESULTS
    result.ids = [entity_id for entity_id, _ in ordered[:MAX_RESULTS]]
    result.how = {i: how[i] for i in result.ids}
    return result

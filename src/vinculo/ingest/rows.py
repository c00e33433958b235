"""Turning one source row into records: mapping, cleaning, metadata, and the problems found."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from followthemoney.property import Property

from vinculo import identifiers as ids
from vinculo.ingest.mapping import Mapping, PropertySpec
from vinculo.ingest.readers import Row
from vinculo.model.metadata import (
    CriminalMarket,
    HandlingCode,
    IntelligenceMeta,
    Network,
    SubjectCategory,
    default_review_by,
    parse_evaluation,
)
from vinculo.model.normalise import (
    Cleaned,
    CleaningContext,
    ValueRow,
    clean_value,
    is_formula,
)
from vinculo.model.records import Problem, Record, make_entity_id
from vinculo.model.schemata import get_model

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "si", "sí", "sim", "oui", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "nao", "não", "non", ""})
MARKET_ALIASES = {
    "narcotrafico": "drugs",
    "narcotráfico": "drugs",
    "trafico de drogas": "drugs",
    "thb": "human_trafficking",
    "trata de personas": "human_trafficking",
    "trafico de migrantes": "migrant_smuggling",
    "armas": "firearms",
    "lavado de activos": "money_laundering",
    "lavagem de dinheiro": "money_laundering",
    "corrupcion": "corruption",
    "corrupção": "corruption",
    "ciberdelito": "cybercrime",
    "delitos ambientales": "environmental_crime",
    "bienes culturales": "cultural_goods",
}


@dataclass(slots=True)
class MappedRow:
    line: int
    records: list[Record] = field(default_factory=list)
    values: dict[str, list[ValueRow]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: The id of the row's main entity, when it could be derived (links quarantine to entity).
    entity_key: str | None = None

    @property
    def rejected(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def flagged(self) -> bool:
        return not self.rejected and any(p.severity == "warning" for p in self.problems)


@dataclass(frozen=True, slots=True)
class AgencyContext:
    code: str
    country: str
    review_years: int = 3
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    #: Metadata given on the command line, applied where the row says nothing.
    defaults: dict[str, Any] = field(default_factory=dict)
    #: Earliest plausible year of a date (historical sources lower it).
    min_year: int = ids.dates.MIN_YEAR


# Metadata cells repeat across rows (one handling code for a whole file): parse each distinct
# value once. Each parser returns the fields it sets and, when the value is unclear, a reason.
@lru_cache(maxsize=1024)
def _market(value: str) -> CriminalMarket | None:
    folded = ids.fold_name(value)
    key = MARKET_ALIASES.get(folded, folded.replace(" ", "_"))
    try:
        return CriminalMarket(key)
    except ValueError:
        return None


@lru_cache(maxsize=256)
def _handling_code(value: str) -> tuple[dict[str, Any], str | None]:
    try:
        return {"handling_code": HandlingCode(value.strip().upper())}, None
    except ValueError:
        # The most protective reading of an unreadable handling code is H3, restricted until the
        # owner says otherwise.
        return (
            {
                "handling_code": HandlingCode.H3,
                "handling_text": f"Unreadable handling code {value!r}",
            },
            "unknown handling code (H0-H3)",
        )


@lru_cache(maxsize=256)
def _evaluation(value: str) -> tuple[dict[str, Any], str | None]:
    try:
        reliability, credibility = parse_evaluation(value)
    except ValueError as exc:
        return {}, str(exc)
    return {"source_reliability": reliability, "information_credibility": credibility}, None


@lru_cache(maxsize=256)
def _subject_category(value: str) -> tuple[dict[str, Any], str | None]:
    try:
        return {"subject_category": SubjectCategory(ids.fold_name(value).replace(" ", "_"))}, None
    except ValueError:
        return {}, "unknown data-subject category"


@lru_cache(maxsize=64)
def _minor(value: str) -> tuple[dict[str, Any], str | None]:
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return {"minor": True}, None
    if word in FALSE_WORDS:
        return {"minor": False}, None
    # Unclear: protect the person as a minor, and ask for correction.
    return {"minor": True}, "minor flag is not yes/no"


@lru_cache(maxsize=4096)
def _review_by(value: str) -> tuple[dict[str, Any], str | None]:
    # Not parse_date: that one refuses future dates, which are what review dates are.
    text = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return {"review_by": dt.datetime.strptime(text, pattern).date()}, None
        except ValueError:
            continue
    return {}, "review-by is not a full date (YYYY-MM-DD or DD/MM/YYYY)"


_DISTRIBUTIONS = ("agency", "country", "network", "all", "group")
_NETWORKS = frozenset(n.value for n in Network)


@lru_cache(maxsize=256)
def _distribution(value: str) -> tuple[dict[str, Any], str | None]:
    """``agency``, ``country``, ``all``, ``network:AMERIPOL`` or ``group:<id>``."""
    kind, _, ref = value.strip().partition(":")
    kind = kind.strip().casefold()
    ref = ref.strip()
    # Anything unclear stays with the owner alone: the most protective reading.
    if kind not in _DISTRIBUTIONS:
        return {}, "unknown distribution (agency, country, network:NAME, all, group:ID)"
    if kind == "network":
        network = ref.upper()
        if network not in _NETWORKS:
            return {}, f"unknown network {ref!r}"
        return {"distribution": kind, "distribution_ref": network}, None
    if kind == "group":
        if not ref:
            return {}, "distribution group without an id (group:ID)"
        return {"distribution": kind, "distribution_ref": ref}, None
    return {"distribution": kind, "distribution_ref": None}, None


_META_PARSERS: dict[str, Callable[[str], tuple[dict[str, Any], str | None]]] = {
    "distribution": _distribution,
    "handling_code": _handling_code,
    "source_evaluation": _evaluation,
    "subject_category": _subject_category,
    "minor": _minor,
    "review_by": _review_by,
}


def _spec_values(spec: PropertySpec, row: dict[str, str]) -> list[tuple[str | None, str]]:
    """(column, raw value) pairs for a property spec, splitting multi-value cells."""
    if spec.literal:
        return [(None, v) for v in spec.literal]
    if len(spec.columns) == 1 and spec.join is None and not spec.split:
        # The usual spec, one column as it is: what the general case below gives, without it.
        column = spec.columns[0]
        value = row.get(column, "") or ""
        return [(column, value)] if value.strip() else []
    cells = [(c, row.get(c, "") or "") for c in spec.columns]
    if spec.join is not None:
        joined = spec.join.join(v.strip() for _, v in cells if v.strip())
        return [(cells[0][0] if cells else None, joined)] if joined else []
    out: list[tuple[str | None, str]] = []
    for column, value in cells:
        if spec.split:
            out.extend((column, part) for part in value.split(spec.split) if part.strip())
        elif value.strip():
            out.append((column, value))
    return out


#: Distinct entries a mapper's caches hold before they are emptied: an import of millions of
#: distinct values must not keep them all.
CACHE_LIMIT = 100_000

#: A metadata problem without its line: (column, value, reason), reported as a warning.
_MetaNote = tuple[str | None, str, str]
#: The raw metadata cells of a row: (column, value) pairs per metadata key, in mapping order.
_RawMeta = tuple[tuple[tuple[str | None, str], ...], ...]


class RowMapper:
    def __init__(self, mapping: Mapping, agency: AgencyContext) -> None:
        self.mapping = mapping
        self.agency = agency
        self.model = get_model()
        # Cells repeat across rows (one metadata for a whole file; the same places, surnames,
        # dates and genders over and over): each distinct metadata and each distinct value in a
        # cleaning context is worked out once. Both are pure functions of their keys for the
        # life of a mapper (its agency, defaults and day are fixed), and their results are
        # never changed by the callers.
        self._metas: dict[_RawMeta, tuple[IntelligenceMeta, tuple[_MetaNote, ...]]] = {}
        self._cleaned: dict[tuple[str, tuple[str, ...]], dict[tuple[str, str], Cleaned]] = {}
        self._cleaned_count = 0
        self._contexts: dict[tuple[str, tuple[str, ...]], CleaningContext] = {}

    def _cleaner(
        self, schema: str, countries: tuple[str, ...]
    ) -> Callable[[Property, str], Cleaned]:
        """``clean_value`` in the cleaning context of ``schema`` and the row's nationalities,
        cached per (property name, raw value): the schema is part of the key, so the property
        name is the property. The rest of the context is the mapper's."""
        key = (schema, countries)
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = self._contexts[key] = CleaningContext(
                default_region=self.agency.country,
                countries=countries,
                schema=schema,
                day_first=self.mapping.day_first,
                min_year=self.agency.min_year,
            )
        by_value = self._cleaned.get(key)
        if by_value is None:
            by_value = self._cleaned[key] = {}

        def clean(prop: Property, raw: str) -> Cleaned:
            cell = (prop.name, raw)
            cleaned = by_value.get(cell)
            if cleaned is None:
                if self._cleaned_count >= CACHE_LIMIT:
                    self._contexts.clear()
                    self._cleaned.clear()
                    self._cleaned_count = 0
                cleaned = by_value[cell] = clean_value(prop, raw, ctx)
                self._cleaned_count += 1
            return cleaned

        return clean

    # -- metadata -----------------------------------------------------------------------------
    def _meta(self, row: dict[str, str], line: int, problems: list[Problem]) -> IntelligenceMeta:
        key: _RawMeta = tuple(tuple(_spec_values(spec, row)) for spec in self.mapping.meta.values())
        cached = self._metas.get(key)
        if cached is None:
            if len(self._metas) >= CACHE_LIMIT:
                self._metas.clear()
            cached = self._metas[key] = self._parse_meta(key)
        meta, notes = cached
        problems.extend(
            Problem(line, column, value, reason, "warning") for column, value, reason in notes
        )
        return meta

    def _parse_meta(self, cells: _RawMeta) -> tuple[IntelligenceMeta, tuple[_MetaNote, ...]]:
        """The metadata of a row's metadata cells, and its problems without their line."""
        raw: dict[str, list[tuple[str | None, str]]] = {
            key: list(values) for key, values in zip(self.mapping.meta, cells, strict=True)
        }
        notes: list[_MetaNote] = []
        defaults = self.agency.defaults

        def first(key: str) -> tuple[str | None, str] | None:
            values = raw.get(key) or []
            if values:
                return values[0]
            if key in defaults and defaults[key] not in (None, "", []):
                return (None, str(defaults[key]))
            return None

        changes: dict[str, Any] = {}
        market_values = raw.get("markets") or [(None, m) for m in (defaults.get("markets") or [])]
        markets: list[CriminalMarket] = []
        for column, value in market_values:
            market = _market(value)
            if market is None:
                notes.append((column, value, "unknown criminal market"))
            else:
                markets.append(market)
        changes["markets"] = tuple(dict.fromkeys(markets))
        for key, parse in _META_PARSERS.items():
            got = first(key)
            if got is None:
                continue
            parsed, reason = parse(got[1])
            changes.update(parsed)
            if reason:
                notes.append((got[0], got[1], reason))
        if (got := first("handling_text")) is not None:
            changes["handling_text"] = got[1].strip()
        if (got := first("source_ref")) is not None:
            changes["source_ref"] = got[1].strip()
        if "review_by" not in changes:
            changes["review_by"] = default_review_by(self.agency.today, self.agency.review_years)
            changes["review_by_default"] = True
        return IntelligenceMeta(agency=self.agency.code, **changes), tuple(notes)

    # -- tabular rows ---------------------------------------------------------------------------
    def map_row(self, row: Row) -> MappedRow:
        out = MappedRow(row.line)
        for column, reason in row.errors:
            out.problems.append(Problem(row.line, column, None, reason, "error"))
        if out.rejected:
            return out
        for column, value in row.values.items():
            if is_formula(value.strip()):
                out.problems.append(
                    Problem(
                        row.line, column, value, "spreadsheet formula instead of a value", "error"
                    )
                )
        meta = self._meta(row.values, row.line, out.problems)
        ids_by_name: dict[str, str] = {}
        keys_by_name: dict[str, str] = {}
        for spec in self.mapping.entities:
            if spec.keys:
                key_parts = [row.values.get(k, "").strip() for k in spec.keys]
                if not any(key_parts):
                    if spec is self.mapping.entities[0]:
                        out.problems.append(
                            Problem(row.line, spec.keys[0], "", "empty key column", "error")
                        )
                        return out
                    continue
                source_key = "|".join(key_parts)
                if spec is not self.mapping.entities[0]:
                    source_key = f"{spec.name}:{source_key}"
            else:
                digest = hashlib.sha1(
                    "\x1f".join(f"{k}={v}" for k, v in sorted(row.values.items())).encode(),
                    usedforsecurity=False,
                )
                source_key = f"{spec.name}:{digest.hexdigest()}"
            ids_by_name[spec.name] = make_entity_id(self.agency.code, source_key)
            keys_by_name[spec.name] = source_key
        out.entity_key = ids_by_name.get(self.mapping.entities[0].name)
        for index, spec in enumerate(self.mapping.entities):
            entity_id = ids_by_name.get(spec.name)
            if entity_id is None:
                continue
            proxy = self.model.make_entity(spec.schema)
            proxy.id = entity_id
            nationality = (
                [
                    ids.normalise_country(v)
                    for _, v in _spec_values(spec.properties["nationality"], row.values)
                ]
                if "nationality" in spec.properties
                else []
            )
            clean = self._cleaner(spec.schema, tuple(c for c in nationality if c))
            values: list[ValueRow] = []
            flags: list[Problem] = []
            for prop_name, prop_spec in spec.properties.items():
                prop = proxy.schema.properties[prop_name]
                if prop_spec.entity is not None:
                    target = ids_by_name.get(prop_spec.entity)
                    if target:
                        proxy.unsafe_add(prop, target, cleaned=True)
                    continue
                for column, raw_value in _spec_values(prop_spec, row.values):
                    cleaned = clean(prop, raw_value)
                    if cleaned.stored is not None:
                        proxy.unsafe_add(prop, cleaned.stored, cleaned=True)
                    values.extend(cleaned.values)
                    if cleaned.problem:
                        flags.append(
                            Problem(
                                row.line,
                                column,
                                raw_value,
                                f"{prop_name}: {cleaned.problem}",
                                "warning",
                            )
                        )
            if proxy.schema.is_a("Person") and not proxy.has("name"):
                parts = proxy.get("firstName") + proxy.get("lastName")
                if parts:
                    proxy.unsafe_add(proxy.schema.properties["name"], " ".join(parts), cleaned=True)
                    values.append(
                        ValueRow("name", "name", " ".join(parts), ids.fold_name(" ".join(parts)))
                    )
            missing = [p for p in proxy.schema.required if not proxy.has(p)]
            if missing:
                if index == 0:
                    out.problems.append(
                        Problem(
                            row.line,
                            _column_for(spec, missing[0]),
                            "",
                            f"required {missing[0]} is empty",
                            "error",
                        )
                    )
                    return out
                continue
            record_meta = meta.with_changes(source_key=keys_by_name[spec.name])
            if not proxy.schema.is_a("Person"):
                record_meta = record_meta.with_changes(subject_category=None, minor=False)
            out.problems.extend(flags)
            record = Record(proxy, record_meta, row.line, flags)
            out.records.append(record)
            out.values[entity_id] = values
        return out

    # -- FollowTheMoney lines -------------------------------------------------------------------
    def map_ftm(self, row: Row) -> MappedRow:
        out = MappedRow(row.line)
        for column, reason in row.errors:
            out.problems.append(Problem(row.line, column, None, reason, "error"))
        if out.rejected:
            return out
        data: dict[str, Any] = row.values["_json"]  # type: ignore[assignment]
        schema = self.model.get(str(data.get("schema", "")))
        if schema is None:
            out.problems.append(
                Problem(row.line, "schema", str(data.get("schema")), "unknown schema", "error")
            )
            return out
        source_id = data.get("id")
        if not source_id or not isinstance(source_id, str):
            out.problems.append(Problem(row.line, "id", None, "entity without an id", "error"))
            return out
        meta_data = data.get("vinculo") or {}
        flat = {
            k: v for k, v in meta_data.items() if isinstance(v, str | bool | int) and k != "markets"
        }
        flat_text: dict[str, str] = {
            str(k): ("true" if v is True else "false" if v is False else str(v))
            for k, v in flat.items()
        }
        meta_mapper = RowMapper(
            Mapping((), {k: PropertySpec(columns=(k,)) for k in flat_text if k in _META_KEYS}),
            self.agency,
        )
        meta = meta_mapper._meta(flat_text, row.line, out.problems)
        if "markets" in meta_data:
            meta = meta.with_changes(
                markets=tuple(CriminalMarket(m) for m in meta_data["markets"] if m in _MARKETS)
            )
        # The id derives from the line's own id, exactly as references to it do: a vinculo export
        # of this agency keeps its ids, another agency's export gets ids in this agency's
        # namespace with its links intact. The original source key is kept for provenance.
        source_key = meta_data.get("source_key") or source_id
        entity_id = make_entity_id(self.agency.code, source_id)
        meta = meta.with_changes(source_key=str(source_key))
        proxy = self.model.make_entity(schema.name)
        proxy.id = entity_id
        properties = data.get("properties") or {}
        if not isinstance(properties, dict):
            out.problems.append(
                Problem(row.line, "properties", None, "properties must be an object", "error")
            )
            return out
        nationality = [ids.normalise_country(str(v)) for v in properties.get("nationality", [])]
        ctx = CleaningContext(
            self.agency.country,
            tuple(c for c in nationality if c),
            schema.name,
            min_year=self.agency.min_year,
        )
        values: list[ValueRow] = []
        flags: list[Problem] = []
        for prop_name, raw_values in properties.items():
            prop = schema.properties.get(prop_name)
            if prop is None:
                out.problems.append(
                    Problem(
                        row.line,
                        prop_name,
                        None,
                        f"{schema.name} has no property {prop_name!r}",
                        "error",
                    )
                )
                continue
            for raw_value in raw_values if isinstance(raw_values, list) else [raw_values]:
                if prop.type.name == "entity":
                    proxy.unsafe_add(
                        prop, make_entity_id(self.agency.code, str(raw_value)), cleaned=True
                    )
                    continue
                cleaned = clean_value(prop, str(raw_value), ctx)
                if cleaned.stored is not None:
                    proxy.unsafe_add(prop, cleaned.stored, cleaned=True)
                values.extend(cleaned.values)
                if cleaned.problem:
                    flags.append(
                        Problem(row.line, prop_name, str(raw_value), cleaned.problem, "warning")
                    )
        if out.rejected:
            return out
        out.entity_key = entity_id
        out.problems.extend(flags)
        exported_flags = meta_data.get("flags")
        if isinstance(exported_flags, list):
            # A vinculo export carries the record's flags, with the lines of the original file.
            record_flags = [
                Problem(
                    int(f.get("line") or 0),
                    f.get("column"),
                    f.get("value"),
                    str(f.get("reason", "")),
                    str(f.get("severity", "warning")),
                )
                for f in exported_flags
                if isinstance(f, dict)
            ]
        else:
            record_flags = flags
        out.records.append(Record(proxy, meta, row.line, record_flags))
        out.values[entity_id] = values
        return out


_META_KEYS = frozenset(
    {
        "handling_code",
        "handling_text",
        "source_evaluation",
        "subject_category",
        "minor",
        "source_ref",
        "review_by",
        "distribution",
    }
)
_MARKETS = frozenset(m.value for m in CriminalMarket)


def _column_for(spec: Any, prop: str) -> str | None:
    prop_spec = spec.properties.get(prop)
    if prop_spec and prop_spec.columns:
        return str(prop_spec.columns[0])
    return prop

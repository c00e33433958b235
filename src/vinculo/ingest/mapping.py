"""Mappings: how the columns of a table become entities, their links and their metadata.

A mapping is YAML (docs/mapping.md). Without one, the default mapping reads the standard column
names (``id, name, first_name, last_name, ...``), and recognises the usual Spanish, Portuguese,
English and French headers (``nombre``, ``data de nascimento``, ``prénom``...).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from vinculo.model.schemata import get_schema

STANDARD_COLUMNS = (
    "id",
    "name",
    "first_name",
    "last_name",
    "second_last_name",
    "birth_date",
    "birth_place",
    "nationality",
    "gender",
    "id_number",
    "passport_number",
    "phone",
    "email",
    "address",
    "alias",
)
#: Columns carrying intelligence metadata rather than entity properties.
META_COLUMNS = (
    "markets",
    "handling_code",
    "handling_text",
    "source_evaluation",
    "subject_category",
    "minor",
    "source_ref",
    "review_by",
    "distribution",
)
META_FIELDS = frozenset(META_COLUMNS)

#: Usual headers in agencies' spreadsheets, folded (no accents, lower case, single spaces).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "codigo", "código", "registro", "id registro", "referencia", "ref", "identifiant"),
    "name": (
        "name",
        "full name",
        "nombre completo",
        "nombre y apellidos",
        "apellidos y nombres",
        "nome completo",
        "nom complet",
        "nome",
    ),
    "first_name": (
        "first name",
        "given name",
        "given names",
        "forename",
        "nombre",
        "nombres",
        "primeiro nome",
        "prenom",
        "prénom",
        "prenoms",
    ),
    "last_name": (
        "last name",
        "surname",
        "family name",
        "apellido",
        "apellidos",
        "apellido paterno",
        "primer apellido",
        "sobrenome",
        "ultimo nome",
        "apelido",
        "nom",
        "nom de famille",
    ),
    "second_last_name": (
        "second last name",
        "second surname",
        "apellido materno",
        "segundo apellido",
        "segundo sobrenome",
    ),
    "birth_date": (
        "birth date",
        "date of birth",
        "dob",
        "fecha de nacimiento",
        "fecha nacimiento",
        "f nacimiento",
        "data de nascimento",
        "data nascimento",
        "date de naissance",
        "ne le",
    ),
    "birth_place": (
        "birth place",
        "place of birth",
        "lugar de nacimiento",
        "local de nascimento",
        "naturalidade",
        "lieu de naissance",
    ),
    "nationality": ("nationality", "nacionalidad", "nacionalidade", "nationalite", "pais", "país"),
    "gender": ("gender", "sex", "sexo", "genero", "género", "sexe"),
    "id_number": (
        "id number",
        "national id",
        "documento",
        "numero de documento",
        "nro documento",
        "n documento",
        "documento de identidad",
        "cedula",
        "cédula",
        "dni",
        "nie",
        "cpf",
        "rg",
        "curp",
        "rut",
        "run",
        "nif",
        "cuit",
        "cuil",
        "bsn",
        "numero d identite",
        "piece d identite",
    ),
    "passport_number": ("passport", "passport number", "pasaporte", "passaporte", "passeport"),
    "phone": (
        "phone",
        "telephone",
        "mobile",
        "telefono",
        "celular",
        "movil",
        "telefone",
        "telemovel",
        "portable",
        "numero de telephone",
    ),
    "email": ("email", "e mail", "correo", "correo electronico", "courriel", "mail"),
    "address": ("address", "direccion", "domicilio", "endereco", "morada", "adresse"),
    "alias": ("alias", "aliases", "apodo", "alcunha", "vulgo", "surnom", "nickname"),
    "markets": ("markets", "mercados", "mercado", "marches", "criminal markets"),
    "handling_code": ("handling code", "codigo de manejo", "code de traitement"),
    "source_evaluation": ("evaluation", "source evaluation", "evaluacion", "avaliacao"),
    "subject_category": ("subject category", "categoria", "category", "categorie"),
    "minor": ("minor", "menor", "menor de edad", "mineur"),
    "distribution": ("distribution", "distribucion", "distribuicao", "difusion", "difusao"),
    "source_ref": ("source ref", "source reference", "expediente", "processo", "dossier"),
}

#: Standard column -> Person property.
PERSON_COLUMNS = {
    "name": "name",
    "first_name": "firstName",
    "birth_date": "birthDate",
    "birth_place": "birthPlace",
    "nationality": "nationality",
    "gender": "gender",
    "id_number": "idNumber",
    "passport_number": "passportNumber",
    "phone": "phone",
    "email": "email",
    "address": "address",
    "alias": "alias",
}
#: Columns that often hold several values in one cell.
MULTI_VALUE_COLUMNS = frozenset({"phone", "email", "alias", "nationality", "markets"})
MULTI_VALUE_SPLIT = ";"


def fold_header(header: str) -> str:
    text = unicodedata.normalize("NFKD", header)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_SYNONYM_INDEX = {
    fold_header(alias): standard
    for standard, aliases in HEADER_SYNONYMS.items()
    for alias in aliases
}
for _standard in (*STANDARD_COLUMNS, *META_COLUMNS):
    _SYNONYM_INDEX[fold_header(_standard)] = _standard


class MappingError(ValueError):
    """A mapping that cannot work: names the place and the reason."""


@dataclass(frozen=True, slots=True)
class PropertySpec:
    columns: tuple[str, ...] = ()
    literal: tuple[str, ...] = ()
    entity: str | None = None
    join: str | None = None
    split: str | None = None


@dataclass(frozen=True, slots=True)
class EntitySpec:
    name: str
    schema: str
    keys: tuple[str, ...]
    properties: dict[str, PropertySpec]


@dataclass(frozen=True, slots=True)
class Mapping:
    entities: tuple[EntitySpec, ...]
    meta: dict[str, PropertySpec] = field(default_factory=dict)
    day_first: bool = True
    #: Source columns not used by the mapping: reported so nothing is dropped unnoticed.
    unmapped: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        def prop(spec: PropertySpec) -> dict[str, Any]:
            out: dict[str, Any] = {}
            if spec.columns:
                out["columns" if len(spec.columns) > 1 else "column"] = (
                    list(spec.columns) if len(spec.columns) > 1 else spec.columns[0]
                )
            if spec.literal:
                out["literal"] = list(spec.literal) if len(spec.literal) > 1 else spec.literal[0]
            for key in ("entity", "join", "split"):
                if getattr(spec, key) is not None:
                    out[key] = getattr(spec, key)
            return out

        return {
            "entities": {
                e.name: {
                    "schema": e.schema,
                    "keys": list(e.keys),
                    "properties": {k: prop(v) for k, v in e.properties.items()},
                }
                for e in self.entities
            },
            "meta": {k: prop(v) for k, v in self.meta.items()},
            "day_first": self.day_first,
        }

    def digest(self) -> str:
        return hashlib.sha256(orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS)).hexdigest()


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def _parse_property(where: str, spec: Any) -> PropertySpec:
    if isinstance(spec, str):
        return PropertySpec(columns=(spec,))
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a column name or a mapping, got {spec!r}")
    unknown = set(spec) - {"column", "columns", "literal", "entity", "join", "split"}
    if unknown:
        raise MappingError(f"{where}: unknown keys {sorted(unknown)}")
    columns = _as_tuple(spec.get("column")) + _as_tuple(spec.get("columns"))
    literal = _as_tuple(spec.get("literal"))
    entity = spec.get("entity")
    if sum(bool(x) for x in (columns, literal, entity)) != 1:
        raise MappingError(f"{where}: give exactly one of column(s), literal or entity")
    return PropertySpec(columns, literal, entity, spec.get("join"), spec.get("split"))


def parse_mapping(data: Any, source: str = "mapping") -> Mapping:
    if not isinstance(data, dict) or "entities" not in data:
        raise MappingError(f"{source}: a mapping needs an 'entities' section")
    entities: list[EntitySpec] = []
    raw_entities = data["entities"]
    if not isinstance(raw_entities, dict) or not raw_entities:
        raise MappingError(f"{source}: 'entities' must map names to entity definitions")
    for name, config in raw_entities.items():
        where = f"{source}: entities.{name}"
        if not isinstance(config, dict) or "schema" not in config:
            raise MappingError(f"{where}: needs a 'schema'")
        try:
            schema = get_schema(str(config["schema"]))
        except KeyError:
            raise MappingError(f"{where}: unknown schema {config['schema']!r}") from None
        props: dict[str, PropertySpec] = {}
        for prop_name, spec in (config.get("properties") or {}).items():
            if prop_name not in schema.properties:
                raise MappingError(
                    f"{where}.properties: {schema.name} has no property {prop_name!r}"
                )
            props[prop_name] = _parse_property(f"{where}.properties.{prop_name}", spec)
            ref = props[prop_name].entity
            if ref is not None and ref not in raw_entities:
                raise MappingError(f"{where}.properties.{prop_name}: no entity named {ref!r}")
        entities.append(EntitySpec(str(name), schema.name, _as_tuple(config.get("keys")), props))
    meta: dict[str, PropertySpec] = {}
    for key, spec in (data.get("meta") or {}).items():
        if key not in META_FIELDS:
            raise MappingError(f"{source}: meta.{key} is not one of {sorted(META_FIELDS)}")
        meta[key] = _parse_property(f"{source}: meta.{key}", spec)
    return Mapping(tuple(entities), meta, bool(data.get("day_first", True)))


def load_mapping(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read mapping ({exc})") from exc
    return parse_mapping(data, str(path))


def suggest_columns(headers: list[str]) -> dict[str, str]:
    """Header -> standard column name, for the headers that are recognised."""
    suggestion: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        standard = _SYNONYM_INDEX.get(fold_header(header))
        if standard and standard not in taken:
            suggestion[header] = standard
            taken.add(standard)
    return suggestion


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def default_mapping(schema_name: str, headers: list[str]) -> Mapping:
    """The mapping used when none is given: recognised headers to properties of ``schema_name``."""
    schema = get_schema(schema_name)
    columns = suggest_columns(headers)
    by_standard = {standard: header for header, standard in columns.items()}
    props: dict[str, PropertySpec] = {}
    used: set[str] = set()

    def take(prop: str, header: str, split: bool) -> None:
        props[prop] = PropertySpec(columns=(header,), split=MULTI_VALUE_SPLIT if split else None)
        used.add(header)

    if schema.is_a("Person"):
        for standard, prop in PERSON_COLUMNS.items():
            if standard in by_standard:
                take(prop, by_standard[standard], standard in MULTI_VALUE_COLUMNS)
        surnames = tuple(
            by_standard[c] for c in ("last_name", "second_last_name") if c in by_standard
        )
        if surnames:
            # Both surnames in written order in one value, as registries write them: which one
            # is paternal depends on Spanish vs Portuguese custom, decided by name analysis.
            props["lastName"] = PropertySpec(columns=surnames, join=" ")
            used.update(surnames)
    elif "name" in by_standard and "name" in schema.properties:
        take("name", by_standard["name"], False)
    for header in headers:
        if header in used or columns.get(header) in (*META_COLUMNS, "id"):
            continue
        for candidate in (header, _camel(fold_header(header).replace(" ", "_"))):
            if candidate in schema.properties and candidate not in props:
                take(candidate, header, False)
                break
    meta = {
        standard: PropertySpec(
            columns=(by_standard[standard],),
            split=MULTI_VALUE_SPLIT if standard == "markets" else None,
        )
        for standard in META_COLUMNS
        if standard in by_standard
    }
    used.update(spec.columns[0] for spec in meta.values())
    keys = (by_standard["id"],) if "id" in by_standard else ()
    used.update(keys)
    unmapped = tuple(h for h in headers if h not in used)
    entity = EntitySpec("entity", schema.name, keys, props)
    return Mapping((entity,), meta, True, unmapped)

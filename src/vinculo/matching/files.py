"""Profiles straight from files, with no database: the path of ``vinculo xref-files`` and of
training on the generated scenario. Rows go through the same mapping and cleaning as an import."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from vinculo.ingest.mapping import default_mapping
from vinculo.ingest.readers import CsvReader, Row, open_source
from vinculo.ingest.rows import AgencyContext, RowMapper
from vinculo.matching.profile import Profile, from_values
from vinculo.model.records import Problem


@dataclass
class LoadedFile:
    profiles: list[Profile]
    #: Profile id -> the row's own ``id`` column value.
    source_ids: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    #: Columns of the file that hold at least one value.
    columns: set[str] = field(default_factory=set)


def profile_from_row(
    values: dict[str, str], agency: str = "FILE", country: str | None = None
) -> Profile:
    """A profile from one row of standard columns (for tests, the API and one-off checks)."""
    headers = list(values)
    mapper = RowMapper(
        default_mapping("Person", headers), AgencyContext(agency, country or "", min_year=1)
    )
    mapped = mapper.map_row(Row(2, {k: v for k, v in values.items()}))
    if mapped.rejected or not mapped.records:
        reasons = "; ".join(p.reason for p in mapped.problems)
        raise ValueError(f"row cannot be matched: {reasons}")
    record = mapped.records[0]
    return from_values(
        values.get("id", record.id),
        "Person",
        record.proxy.to_dict()["properties"],
        mapped.values.get(record.id, []),
        agency=agency,
        agency_country=country,
    )


def load_profiles(
    path: Path, agency: str = "FILE", country: str | None = None, id_prefix: str = ""
) -> LoadedFile:
    """The profiles of a CSV's rows, in file order."""
    info, reader = open_source(path)
    if not isinstance(reader, CsvReader):
        raise ValueError(f"{path.name}: xref-files reads CSV files")
    rows = reader.rows()
    first = next(rows, None)
    headers = list(reader.headers)
    if "id" not in headers:
        raise ValueError(f"{path.name}: an 'id' column is required")
    schema = "Person"
    mapping = default_mapping(schema, headers)
    # A linkage file may be historical: no plausibility bound on years (only impossible dates).
    mapper = RowMapper(mapping, AgencyContext(agency, country or "", min_year=1))
    loaded = LoadedFile([], {})
    for row in chain([first] if first is not None else [], rows):
        loaded.columns.update(k for k, v in row.values.items() if v.strip())
        wanted = (row.values.get("schema") or "Person").strip() or "Person"
        if wanted != schema:
            loaded.problems.append(
                Problem(row.line, "schema", wanted, "only Person rows are matched from files")
            )
            continue
        mapped = mapper.map_row(row)
        loaded.problems.extend(mapped.problems)
        if mapped.rejected or not mapped.records:
            continue
        record = mapped.records[0]
        source_id = row.values.get("id", "").strip()
        profile = from_values(
            id_prefix + source_id,
            schema,
            record.proxy.properties,  # what to_dict() carries, without the rest of the dict
            mapped.values.get(record.id, []),
            agency=agency,
            agency_country=country,
        )
        loaded.profiles.append(profile)
        loaded.source_ids[profile.id] = source_id
    _ = info
    return loaded

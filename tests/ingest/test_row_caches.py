"""The row mapper's caches (metadata and cleaned values worked out once per distinct cell) give
exactly what mapping each row afresh gives, problems with their own lines included."""

from __future__ import annotations

import pytest

from vinculo.ingest import rows as rows_module
from vinculo.ingest.mapping import default_mapping
from vinculo.ingest.readers import Row
from vinculo.ingest.rows import AgencyContext, MappedRow, RowMapper

HEADERS = ["id", "name", "birth_date", "phone", "nationality", "handling_code", "markets"]
ROWS = [
    {"id": "1", "name": "Juan Pérez", "birth_date": "31/02/1980", "phone": "300 555 1234",
     "nationality": "Colombia", "handling_code": "H9", "markets": "drugs;nonsense"},
    {"id": "2", "name": "Juan Pérez", "birth_date": "31/02/1980", "phone": "300 555 1234",
     "nationality": "Colombia", "handling_code": "H9", "markets": "drugs;nonsense"},
    {"id": "3", "name": "Juan Pérez", "birth_date": "1980-02-03", "phone": "300 555 1234",
     "nationality": "Brasil", "handling_code": "H1", "markets": "drugs"},
]  # fmt: skip


def _comparable(mapped: MappedRow) -> object:
    return (
        mapped.line,
        mapped.entity_key,
        [(r.id, r.proxy.to_dict(), r.meta, r.line, r.flags) for r in mapped.records],
        mapped.values,
        mapped.problems,
    )


def _mapper() -> RowMapper:
    return RowMapper(default_mapping("Person", HEADERS), AgencyContext("CO-DIJIN", "CO"))


def test_cached_mapping_equals_fresh_mapping_row_by_row() -> None:
    cached = _mapper()
    for n, values in enumerate(ROWS * 2, start=2):
        row = Row(n, dict(values))
        fresh = _mapper().map_row(row)  # a new mapper: nothing cached
        assert _comparable(cached.map_row(row)) == _comparable(fresh)


def test_problems_of_a_cached_row_carry_its_own_line() -> None:
    mapper = _mapper()
    first = mapper.map_row(Row(2, dict(ROWS[0])))
    second = mapper.map_row(Row(3, dict(ROWS[1])))
    reasons = [p.reason for p in first.problems]
    assert "unknown criminal market" in reasons
    assert "unknown handling code (H0-H3)" in reasons
    assert any(r.startswith("birthDate:") for r in reasons)
    assert [p.reason for p in second.problems] == reasons
    assert {p.line for p in first.problems} == {2}
    assert {p.line for p in second.problems} == {3}


def test_the_cleaned_values_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows_module, "CACHE_LIMIT", 3)
    mapper = _mapper()
    for n in range(20):
        values = dict(ROWS[2], id=str(n), name=f"Juan Pérez {n}", phone=f"300 555 {1000 + n}")
        mapped = mapper.map_row(Row(n + 2, values))
        assert _comparable(mapped) == _comparable(_mapper().map_row(Row(n + 2, values)))
    assert sum(len(v) for v in mapper._cleaned.values()) <= 3 + 5  # one row's values at most

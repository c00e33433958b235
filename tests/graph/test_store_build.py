"""The snapshot's build read chunk by chunk (joined columns, properties parsed only where an edge
needs them): each edge has the ends, dates, amount and record the imported records give it, on
SQLite and PostgreSQL, whatever the chunk size."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text

from tests.graph.conftest import Store, _import, _line
from vinculo.graph import analysis
from vinculo.graph import store as store_module
from vinculo.graph.store import NO_DATE, StoreGraph, build_store_graph, day_number
from vinculo.model.records import make_entity_id
from vinculo.sharing.directory import add_agency

AGENCY = "ES-CNP"

LINES = [
    _line("ana", "Person", {"name": ["Ana Ruiz"]}),
    _line("bea", "Person", {"name": ["Bea Gil"]}),
    _line("cai", "Person", {"name": ["Caio Lima"]}),
    # A person naming another (``parent``): an edge from a record that is not a link record.
    _line("dan", "Person", {"name": ["Dan Ruiz"], "parent": ["ana"]}),
    _line("org", "Organization", {"name": ["Clan Sur"]}),
    _line("call", "Call", {"caller": ["ana"], "receiver": ["bea"], "date": ["2023-01-10"]}),
    _line(
        "pay",
        "Payment",
        {"payer": ["bea"], "beneficiary": ["cai"], "amount": ["1250.5"], "date": ["2022-07"]},
    ),
    _line(
        "mem",
        "Membership",
        {"member": ["ana"], "organization": ["org"], "startDate": ["2019"], "endDate": ["2021-05"]},
    ),
    # Two people on one side: one edge each, with the record's dates.
    _line(
        "fam",
        "Family",
        {"person": ["ana", "bea"], "relative": ["cai"], "startDate": ["2001-02-03"]},
    ),
    # A record naming several others, with a date.
    _line(
        "meet", "Event", {"name": ["Meeting"], "involved": ["ana", "cai"], "date": ["2024-03-04"]}
    ),
    # Not edges: a link to itself, a link to a record that is not in the store, a link whose
    # other end is missing.
    _line("self", "Associate", {"person": ["ana"], "associate": ["ana"]}),
    _line("ghost", "Associate", {"person": ["ana"], "associate": ["nobody"]}),
    _line("half", "Call", {"caller": ["cai"], "date": ["2023-05-05"]}),
    # Amounts: the first of several, or none (the import drops a value that is not a number).
    _line("pay2", "Payment", {"payer": ["cai"], "beneficiary": ["ana"], "amount": ["300", "450"]}),
    _line("pay3", "Payment", {"payer": ["cai"], "beneficiary": ["bea"], "amount": ["n/a"]}),
]


def rid(key: str) -> str:
    return make_entity_id(AGENCY, key)


def expected_edges() -> set[tuple[str, str, str, str, int, int, float]]:
    """(source, target, kind, record, start day, end day, amount), worked out from ``LINES``."""
    d = day_number
    return {
        (rid("dan"), rid("ana"), "Person:parent", rid("dan"), NO_DATE, NO_DATE, 0.0),
        (rid("ana"), rid("bea"), "Call", rid("call"), d("2023-01-10"), NO_DATE, 0.0),
        (rid("bea"), rid("cai"), "Payment", rid("pay"), d("2022-07-01"), NO_DATE, 1250.5),
        (rid("ana"), rid("org"), "Membership", rid("mem"), d("2019-01-01"), d("2021-05-01"), 0.0),
        (rid("ana"), rid("cai"), "Family", rid("fam"), d("2001-02-03"), NO_DATE, 0.0),
        (rid("bea"), rid("cai"), "Family", rid("fam"), d("2001-02-03"), NO_DATE, 0.0),
        (rid("meet"), rid("ana"), "Event:involved", rid("meet"), d("2024-03-04"), NO_DATE, 0.0),
        (rid("meet"), rid("cai"), "Event:involved", rid("meet"), d("2024-03-04"), NO_DATE, 0.0),
        (rid("cai"), rid("ana"), "Payment", rid("pay2"), NO_DATE, NO_DATE, 300.0),
        (rid("cai"), rid("bea"), "Payment", rid("pay3"), NO_DATE, NO_DATE, 0.0),
    }


def edges_of(g: StoreGraph) -> set[tuple[str, str, str, str, int, int, float]]:
    return {
        (
            g.ids[int(g.src[e])],
            g.ids[int(g.dst[e])],
            g.kinds[int(g.kind[e])],
            g.ids[int(g.record[e])],
            int(g.start[e]),
            int(g.end[e]),
            float(g.amount[e]),
        )
        for e in range(g.edge_count)
    }


@pytest.fixture
def records(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    store_module.forget_store_graphs()
    with engine.begin() as conn:
        add_agency(conn, AGENCY, "Policía Nacional", "ES", "police", ["EUROPOL"])
    _import(engine, tmp_path, AGENCY, LINES)
    yield engine
    store_module.forget_store_graphs()


def test_each_edge_has_the_ends_dates_and_amount_of_its_record(records: Engine) -> None:
    with records.connect() as conn:
        g = build_store_graph(conn)
    assert edges_of(g) == expected_edges()
    # People, the organisation and the event are nodes; link records are not.
    nodes = {g.ids[i] for i in np.flatnonzero(g.is_node)}
    assert nodes == {rid(k) for k in ("ana", "bea", "cai", "dan", "org", "meet")}
    assert {g.schemata[int(g.schema_of[g.index[rid("call")]])]} == {"Call"}
    assert {g.agencies[int(a)] for a in g.agency_of} == {AGENCY}
    # Every record is in the snapshot, link records too (the policy reads them for each edge).
    assert set(g.ids) == {rid(line["id"]) for line in LINES}
    # Incidence lists: each node's edges are exactly those touching it.
    for node in range(len(g.ids)):
        touching = {e for e in range(g.edge_count) if node in (g.src[e], g.dst[e])}
        assert set(g.edges_of(node).tolist()) == touching


def test_text_the_import_never_writes_is_read_or_left_out_alone(records: Engine) -> None:
    """Properties as another writer may have stored them: a record's JSON spread over lines
    (whitespace between tokens) is read as written; a value that is not a list of strings is
    left out of its record, and the rest of the store is read as before."""
    spread = (
        f'{{\n  "caller": ["{rid("ana")}"],\r\n\t"receiver": ["{rid("bea")}"],\n'
        '  "date": ["2023-01-10"]\n}'
    )
    not_a_list = (
        f'{{"payer": ["{rid("bea")}"], "beneficiary": ["{rid("cai")}"], '
        '"amount": "1250.5", "date": ["2022-07"]}'
    )
    value = "CAST(:p AS JSON)" if records.dialect.name == "postgresql" else ":p"
    with records.begin() as conn:
        for key, body in (("call", spread), ("pay", not_a_list)):
            conn.execute(
                text(f"UPDATE entity SET properties = {value} WHERE id = :id"),  # noqa: S608
                {"p": body, "id": rid(key)},
            )
    with records.connect() as conn:
        g = build_store_graph(conn)
    d = day_number
    expected = expected_edges()
    expected.remove(
        (rid("bea"), rid("cai"), "Payment", rid("pay"), d("2022-07-01"), NO_DATE, 1250.5)
    )
    expected.add((rid("bea"), rid("cai"), "Payment", rid("pay"), d("2022-07-01"), NO_DATE, 0.0))
    assert edges_of(g) == expected


def test_the_chunk_size_changes_nothing(records: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with records.connect() as conn:
        whole = build_store_graph(conn)
    monkeypatch.setattr(store_module, "CHUNK", 3)
    with records.connect() as conn:
        chunked = build_store_graph(conn)
    assert edges_of(chunked) == edges_of(whole) == expected_edges()
    assert sorted(chunked.ids) == sorted(whole.ids)


def test_the_projection_sums_parallel_links_and_is_kept_with_the_snapshot(store: Store) -> None:
    with store.engine.connect() as conn:
        g = build_store_graph(conn)
    proj = analysis.store_projection(g)
    assert analysis.store_projection(g) is proj
    position = {node_id: i for i, node_id in enumerate(proj.ids)}
    br_p1, br_p2 = make_entity_id("BR-PF", "p1"), make_entity_id("BR-PF", "p2")
    es_p1, es_p2 = make_entity_id("ES-CNP", "p1"), make_entity_id("ES-CNP", "p2")

    def weight(a: str, b: str) -> float:
        eid = proj.graph.get_eid(position[a], position[b])
        return float(proj.graph.es[eid]["weight"])

    # BR-PF: João called Carlos and paid him — two links, one edge of weight 2.
    assert weight(br_p1, br_p2) == 2
    # ES-CNP: one call between Carlos and Marta (their shared phone goes through its node).
    assert weight(es_p1, es_p2) == 1
    # Seven people and organisations (four of ES-CNP, two of BR-PF, one of FR-PN) and the
    # shared phone; no link records.
    assert proj.graph.vcount() == 8
    assert not proj.graph.has_multiple() and not any(proj.graph.is_loop())


def test_simple_edges() -> None:
    src = np.array([0, 1, 2, 2, 3, 1])
    dst = np.array([1, 0, 2, 3, 2, 0])
    a, b, w = analysis.simple_edges(src, dst, 4)
    assert list(zip(a.tolist(), b.tolist(), w.tolist(), strict=True)) == [(0, 1, 3), (2, 3, 2)]


def test_reading_ahead_hands_on_errors_and_stops_when_left() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("bad chunk")

    reader = store_module._ahead(failing())
    assert next(reader) == 1
    with pytest.raises(ValueError, match="bad chunk"):
        next(reader)

    produced: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    before = threading.active_count()
    reader = store_module._ahead(endless(), depth=2)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()
    # The reading thread is gone, a few items ahead at most.
    assert threading.active_count() == before
    assert len(produced) <= 3 + 2 + 1


def test_incidence_lists_hold_each_nodes_edges_as_source_then_as_target_in_edge_order() -> None:
    rng = np.random.default_rng(3)
    n = 50
    src = rng.integers(0, n, 400).astype(np.int32)
    dst = rng.integers(0, n, 400).astype(np.int32)
    inc_ptr, inc_edges = store_module._incidence(src, dst, n)
    for node in range(n):
        expected = [e for e in range(len(src)) if src[e] == node] + [
            e for e in range(len(dst)) if dst[e] == node
        ]
        assert inc_edges[inc_ptr[node] : inc_ptr[node + 1]].tolist() == expected
    assert inc_ptr[-1] == 2 * len(src)


def test_a_separator_inside_a_value_stops_the_build_instead_of_shifting_columns(
    records: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the separator to occur inside an id, a schema or an agency code, the joined columns
    would split into more values than records, and every value after it would be given to the
    wrong record: the build refuses the chunk instead. Ids hold dots, so a dot as the separator
    stands for such a value."""
    monkeypatch.setattr(store_module, "SEP", ".")
    monkeypatch.setattr(store_module, "_SEP_BYTE", b".")
    with records.connect() as conn, pytest.raises(RuntimeError, match="separator"):
        build_store_graph(conn)

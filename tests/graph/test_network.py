"""The network through the policy: each agency sees its own records, placeholders for hit-only
ones, and no link it may not see."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from tests.graph.conftest import Store
from vinculo.graph import Filters, Selection, build, neighbourhood
from vinculo.graph.store import store_graph

ES, BR, FR = "ES-CNP", "BR-PF", "FR-PN"
PHONE = "idf:phone:+34600123456"


def test_store_graph_structure(store: Store) -> None:
    with store.engine.connect() as conn:
        g = store_graph(conn, fresh=True)
    # 8 people/organisations (link records are edges, not nodes) plus one shared phone.
    assert g.node_count == 8
    kinds = sorted(g.kinds[int(k)] for k in g.kind)
    assert kinds == sorted(
        ["Call", "Call", "Associate", "Membership", "Membership", "Payment", "same_as"]
        + ["identifier:phone"] * 2
    )
    assert PHONE in g.index


def test_owner_sees_everything_and_placeholder_of_the_hit(store: Store) -> None:
    user = store.user("luis.cnp")
    with store.engine.connect() as conn:
        net = neighbourhood(conn, user, [store.id(ES, "p1")], depth=2)
    views = {n.id: n.view for n in net.nodes.values()}
    assert views == {
        store.id(ES, "p1"): "full",
        store.id(ES, "p2"): "full",
        store.id(ES, "p3"): "full",
        store.id(ES, "org"): "full",
        store.id(BR, "p1"): "hit_only",
        PHONE: "identifier",
    }
    kinds = sorted(e.kind for e in net.edges.values())
    assert kinds == sorted(
        ["Call", "Associate", "Membership", "Membership", "same_as"] + ["identifier:phone"] * 2
    )
    placeholder = net.nodes[store.id(BR, "p1")]
    assert placeholder.caption is None and placeholder.agency == BR
    assert placeholder.label == "[BR-PF] Person"
    hit = next(e for e in net.edges.values() if e.kind == "same_as")
    assert hit.hit == "hit-carlos" and hit.agency == "ES-CNP|BR-PF"
    call = next(e for e in net.edges.values() if e.kind == "Call")
    assert call.record == store.id(ES, "call1") and call.start == "2023-01-10"
    assert b"Souza" not in orjson.dumps(net.as_dict())


def test_other_side_of_the_hit(store: Store) -> None:
    user = store.user("ana.pf")
    with store.engine.connect() as conn:
        net = neighbourhood(conn, user, [store.id(BR, "p1")], depth=3)
    views = {n.id: n.view for n in net.nodes.values()}
    assert views == {
        store.id(BR, "p1"): "full",
        store.id(BR, "p2"): "full",
        store.id(ES, "p1"): "hit_only",
    }
    payment = next(e for e in net.edges.values() if e.kind == "Payment")
    assert payment.amount == 5000.0 and payment.directed
    assert payment.source == store.id(BR, "p2")
    text = orjson.dumps(net.as_dict())
    for secret in (b'Carlos Ruiz"', b"Marta", b"Testigo", b"Clan Sur", b"+34"):
        assert secret not in text


def test_third_agency_sees_placeholders_where_the_policy_says_hit_only(store: Store) -> None:
    user = store.user("jean.pn")
    with store.engine.connect() as conn:
        net = neighbourhood(conn, user, [store.id(ES, "p1")], depth=3)
    views = {n.id: n.view for n in net.nodes.values()}
    assert views == {
        store.id(ES, "p1"): "full",  # shared with EUROPOL
        store.id(ES, "p2"): "hit_only",  # ES-CNP only: reached through a shared call
        store.id(ES, "p3"): "hit_only",  # protected witness, whatever the distribution
        store.id(BR, "p1"): "hit_only",  # the other side of the hit
        PHONE: "identifier",  # on Carlos's record, which FR-PN sees
    }
    # The memberships are ES-CNP's alone: no organisation, no link to it; only Carlos's phone.
    kinds = sorted(e.kind for e in net.edges.values())
    assert kinds == ["Associate", "Call", "identifier:phone", "same_as"]
    text = orjson.dumps(net.as_dict())
    for secret in (b"Marta", b"Testigo", b"Clan Sur", b"Souza", b"Lima"):
        assert secret not in text


def test_unknown_and_hidden_seeds_are_refused_alike(store: Store) -> None:
    user = store.user("ana.pf")
    with store.engine.connect() as conn, pytest.raises(LookupError):
        neighbourhood(conn, user, ["nope"], depth=1)
    # A hit-only record can be opened: as a placeholder with the links the user may see.
    with store.engine.connect() as conn:
        net = neighbourhood(conn, user, [store.id(ES, "p2")], depth=1)
    assert [n.view for n in net.nodes.values()] == ["hit_only"]
    assert net.edges == {}


def test_role_without_records_is_refused(store: Store) -> None:
    with store.engine.connect() as conn, pytest.raises(PermissionError):
        neighbourhood(conn, store.user("admin.pn"), [store.id(FR, "p1")])


def test_filters_and_period(store: Store) -> None:
    user = store.user("luis.cnp")
    seed = [store.id(ES, "p1")]
    with store.engine.connect() as conn:
        calls = neighbourhood(conn, user, seed, depth=2, filters=Filters(kinds=frozenset({"Call"})))
        before = neighbourhood(
            conn, user, seed, depth=1, filters=Filters(end=dt.date(2022, 12, 31))
        )
        people = neighbourhood(
            conn, user, seed, depth=2, filters=Filters(schemata=frozenset({"Person"}))
        )
    assert set(calls.nodes) == {store.id(ES, "p1"), store.id(ES, "p2")}
    # The call of 10 January 2023 is after the period; undated links stay.
    assert "Call" not in {e.kind for e in before.edges.values()}
    assert "Associate" in {e.kind for e in before.edges.values()}
    assert store.id(ES, "org") not in people.nodes
    assert PHONE not in people.nodes


def test_truncation(store: Store) -> None:
    user = store.user("luis.cnp")
    with store.engine.connect() as conn:
        net = neighbourhood(conn, user, [store.id(ES, "p1")], depth=3, max_nodes=3)
    assert len(net.nodes) == 3 and net.truncated


def test_selection_by_agency_and_query(store: Store) -> None:
    user = store.user("jean.pn")
    with store.engine.connect() as conn:
        own = build(conn, user, Selection(agency=FR, depth=1))
        other = build(conn, user, Selection(agency=ES, depth=0))
        found = build(conn, user, Selection(query="Carlos", depth=0))
        with pytest.raises(ValueError):
            build(conn, user, Selection())
    assert list(own.nodes) == [store.id(FR, "p1")]
    # Of ES-CNP's records, FR-PN starts only from those it sees (Carlos, shared with EUROPOL):
    # the others would be placeholders, and listing them would enumerate ES-CNP's holdings.
    assert list(other.nodes) == [store.id(ES, "p1")]
    assert other.nodes[store.id(ES, "p1")].caption == "Carlos Ruiz"
    assert store.id(ES, "p1") in found.nodes


def test_closed_selection_keeps_only_the_links_among_the_ids(store: Store) -> None:
    user = store.user("luis.cnp")
    ids = (store.id(ES, "p1"), store.id(ES, "p2"), store.id(BR, "p1"))
    with store.engine.connect() as conn:
        net = build(conn, user, Selection(ids=ids, closed=True))
    assert set(net.nodes) == set(ids)
    assert sorted(e.kind for e in net.edges.values()) == ["Call", "same_as"]


def test_merged_profiles_keep_each_link_and_its_agency(store: Store) -> None:
    from vinculo.graph.network import merge_profiles

    user = store.user("jean.pn")
    with store.engine.connect() as conn:
        net = neighbourhood(conn, user, [store.id(ES, "p1")], depth=1)
    merged, profiles = merge_profiles(net)
    # Carlos at ES-CNP (seen in full) and at BR-PF (a placeholder) are one profile, shown as
    # the record FR-PN sees.
    assert store.id(BR, "p1") not in merged.nodes
    assert sorted(profiles[store.id(ES, "p1")]) == sorted([store.id(ES, "p1"), store.id(BR, "p1")])
    assert "same_as" not in {e.kind for e in merged.edges.values()}
    assert {e.agency for e in merged.edges.values()} == {"ES-CNP"}


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023-01-10", "2023-01-10"),
        ("2021-05", "2021-05-01"),
        ("1999", "1999-01-01"),
        ("", None),
        ("soon", None),
        ("2023-02-30", None),
    ],
)
def test_partial_dates(text: str, iso: str | None) -> None:
    from vinculo.graph.store import day_number, day_to_iso

    assert day_to_iso(day_number(text)) == iso


def test_find_path_takes_only_links_the_user_may_see(store: Store) -> None:
    from vinculo.graph.network import find_path

    marta, carlos_br = store.id(ES, "p2"), store.id(BR, "p1")
    with store.engine.connect() as conn:
        own = find_path(conn, store.user("luis.cnp"), marta, carlos_br)
        # BR-PF sees neither the call nor the phone that link Marta to Carlos: no path.
        other = find_path(conn, store.user("ana.pf"), marta, carlos_br)
        # FR-PN sees the call (shared with EUROPOL) but not Marta's phone.
        third = find_path(conn, store.user("jean.pn"), marta, carlos_br)
    assert sorted(e.kind for e in own.edges.values()) == ["Call", "same_as"]
    assert other.edges == {}
    assert sorted(e.kind for e in third.edges.values()) == ["Call", "same_as"]
    assert third.nodes[marta].view == "hit_only"

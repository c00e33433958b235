"""The resident index ranks candidates by the evidence of the keys they share, and the real-time
check compares only the strongest."""

from __future__ import annotations

from vinculo.matching.blocking import profile_keys
from vinculo.matching.compare import compare_people
from vinculo.matching.files import profile_from_row
from vinculo.matching.hits import MAX_SCORED, Matcher
from vinculo.matching.index import MAX_NAME_HOLDERS, CandidateIndex, key_strength
from vinculo.matching.model import Model


def test_ranked_orders_by_shared_evidence_and_leaves_out_ones_own_agency() -> None:
    index = CandidateIndex()
    index.add("name-only", ["s:PRS:j"], "B")
    index.add("name-and-date", ["s:PRS:j", "dobs:1980-03-12:p"], "B")
    index.add("phone", ["ph:+573105550101"], "C")
    index.add("mine", ["s:PRS:j", "ph:+573105550101", "dobs:1980-03-12:p"], "A")
    keys = ["s:PRS:j", "dobs:1980-03-12:p", "ph:+573105550101"]
    ranked, oversized, total = index.ranked(keys, agency="A")
    # A name's phonetic key and a birth date with the surname's initial, then a phone alone,
    # then the name alone.
    assert ranked == ["name-and-date", "phone", "name-only"]
    assert total == 3 and not oversized
    assert index.ranked(keys, agency="A", limit=2)[0] == ["name-and-date", "phone"]
    # Without an agency, everyone; an unknown agency leaves no one out.
    assert set(index.ranked(keys)[0]) == {"phone", "name-and-date", "name-only", "mine"}
    assert len(index.ranked(keys, agency="Z")[0]) == 4


def test_ranked_reports_over_correlated_and_skips_excluded_keys() -> None:
    index = CandidateIndex()
    for n in range(60):
        index.add(f"p{n}", ["ph:+570000000000", f"s:X{n}:a"], "B")
    index.add("q", ["s:X1:a"], "C")
    ranked, oversized, _ = index.ranked(["ph:+570000000000", "s:X1:a"], agency="A")
    assert oversized == {"ph:+570000000000"}
    assert set(ranked) == {"p1", "q"}
    index.excluded.add("s:X1:a")
    assert index.ranked(["s:X1:a"], agency="A")[0] == []


def test_rarer_keys_weigh_more_within_a_kind_but_never_more_than_a_stronger_kind() -> None:
    assert key_strength("s:GRSI:j", 3) > key_strength("s:GRSI:j", MAX_NAME_HOLDERS)
    assert key_strength("nid:co.cedula:79512345", 50) > key_strength("s:GRSI:j", 1)
    assert key_strength("ph:+573105550101", 50) > key_strength("ss:GRSI|PRS", 1)


def test_removed_and_re_added_entities_rank_with_their_new_keys() -> None:
    index = CandidateIndex()
    index.add("x", ["s:PRS:j"], "B")
    index.add("x", ["s:OTHER:j"], "B")
    assert index.ranked(["s:PRS:j"], agency="A")[0] == []
    assert index.ranked(["s:OTHER:j"], agency="A")[0] == ["x"]


def test_the_true_match_is_scored_among_many_namesakes() -> None:
    """A common name with many namesakes in other agencies: the record that shares the id
    number and the birth date is among the compared, whatever the order of indexing."""
    model = Model.load()
    new = profile_from_row(
        {"id": "new", "name": "Juan Pérez García", "birth_date": "1980-03-12",
         "id_number": "79512345"},
        "A",
        "CO",
    )  # fmt: skip
    namesakes = [
        profile_from_row(
            {"id": f"n{k}", "name": "Juan Pérez García", "birth_date": f"19{50 + k % 40}-01-01"},
            "B",
            "CO",
        )
        for k in range(MAX_SCORED * 3)
    ]
    twin = profile_from_row(
        {"id": "twin", "name": "JUAN PEREZ", "birth_date": "12/03/1980", "id_number": "79512345"},
        "C",
        "CO",
    )
    index = CandidateIndex()
    profiles = {p.id: p for p in [*namesakes, twin, new]}
    for p in [*namesakes, twin]:
        index.add(p.id, profile_keys(p), p.agency)
    matcher = Matcher(model, index, profiles)
    candidates, _ = matcher.candidates(new, profile_keys(new))
    assert len(candidates) == MAX_SCORED
    assert candidates[0].id == "twin"
    assert model.probability_of(compare_people(new, twin)) >= model.match_threshold


def test_probability_of_agrees_with_score() -> None:
    model = Model.load()
    a = profile_from_row({"id": "a", "name": "José Luis Pérez García", "birth_date": "1980"})
    b = profile_from_row({"id": "b", "name": "Pepe Perez", "birth_date": "1980-03-12"})
    levels = compare_people(a, b)
    assert model.probability_of(levels) == model.score(levels).probability

"""Hypocoristics, translations and gendered pairs of given names."""

from __future__ import annotations

import pytest

from vinculo.names import canonical_given, gendered_pair, given_name_variants

# (pet form, full form) — the families the design notes list, and a few more.
HYPOCORISTICS = [
    ("Pepe", "José"),
    ("Paco", "Francisco"),
    ("Pancho", "Francisco"),
    ("Curro", "Francisco"),
    ("Lupe", "Guadalupe"),
    ("Chucho", "Jesús"),
    ("Chuy", "Jesús"),
    ("Nacho", "Ignacio"),
    ("Concha", "Concepción"),
    ("Conchita", "Concepción"),
    ("Manolo", "Manuel"),
    ("Toño", "Antonio"),
    ("Chema", "José María"),
    ("Toninho", "Antônio"),
    ("Tião", "Sebastião"),
    ("Quique", "Enrique"),
    ("Lola", "Dolores"),
    ("Pili", "Pilar"),
    ("Charo", "Rosario"),
    ("Memo", "Guillermo"),
    ("Beto", "Alberto"),
    ("Beto", "Roberto"),
    ("Chelo", "Consuelo"),
    ("Rafa", "Rafael"),
    ("Zé", "José"),
    ("Chico", "Francisco"),
    ("Fer", "Fernando"),
    ("Nando", "Fernando"),
    ("Maite", "María Teresa"),
    ("Merche", "Mercedes"),
    ("Goyo", "Gregorio"),
    ("Chente", "Vicente"),
    ("Lucho", "Luis"),
    ("Santi", "Santiago"),
    ("Juanjo", "Juan José"),
]


@pytest.mark.parametrize(("pet", "full"), HYPOCORISTICS)
def test_hypocoristic_families(pet: str, full: str) -> None:
    from vinculo.identifiers import fold_name

    assert fold_name(full) in given_name_variants(pet)
    assert fold_name(pet) in given_name_variants(full)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("José", "Joseph"),
        ("José", "Giuseppe"),
        ("João", "Juan"),
        ("João", "Jean"),
        ("João", "Giovanni"),
        ("João", "John"),
        ("Antônio", "Antoine"),
        ("Antonio", "António"),
        ("Luiz", "Luis"),
        ("Guilherme", "Guillermo"),
        ("Tiago", "Santiago"),
    ],
)
def test_cross_language_forms(a: str, b: str) -> None:
    from vinculo.identifiers import fold_name

    assert fold_name(b) in given_name_variants(a)


def test_variants_include_the_name_itself_folded() -> None:
    assert "jose" in given_name_variants("JOSÉ")
    assert given_name_variants("Xiomara") == frozenset({"xiomara"})
    assert given_name_variants("") == frozenset()


def test_groups_are_not_transitive() -> None:
    # Beto is a pet form of both, but Alberto and Roberto are different names
    assert "roberto" not in given_name_variants("Alberto")
    assert "alberto" not in given_name_variants("Roberto")
    # José/Josefa, Juan/Juana are different names, not variants
    assert "josefa" not in given_name_variants("José")
    assert "juana" not in given_name_variants("Juan")


def test_canonical_given_name() -> None:
    assert canonical_given("Pepe") == canonical_given("José") == "jose"
    assert canonical_given("Zé") == "jose"
    assert canonical_given("João") == canonical_given("Juan")
    assert canonical_given("Toninho") == canonical_given("Antônio") == "antonio"
    assert canonical_given("Tião") == canonical_given("Sebastián")
    assert canonical_given("Xiomara") == "xiomara"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Juan", "Juana"),
        ("Francisco", "Francisca"),
        ("Mario", "María"),
        ("Antonio", "Antonia"),
        ("Luis", "Luisa"),
        ("João", "Joana"),
        ("Manuel", "Manuela"),
        ("Gabriel", "Gabriela"),
        ("Vicente", "Vicenta"),
        ("Julio", "Julia"),
        ("Carlos", "Carla"),
        ("José", "Josefa"),
        ("Sebastião", "Sebastiana"),
        ("JUANA", "juan"),
    ],
)
def test_gendered_pairs(a: str, b: str) -> None:
    assert gendered_pair(a, b)
    assert gendered_pair(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Juan", "Juan"),
        ("Isabel", "Isabela"),  # both women's names
        ("Pablo", "Paulo"),  # translation, same man
        ("Marta", "María"),  # different names, no gender ending
        ("Rodrigo", "Rodrigues"),
        ("Luis", "Luiz"),
    ],
)
def test_not_gendered_pairs(a: str, b: str) -> None:
    assert not gendered_pair(a, b)


@pytest.mark.parametrize(
    ("pet", "full"),
    [("Tom", "Thomas"), ("Bill", "William"), ("Bert", "Herbert"), ("Bert", "Albert"),
     ("Eddie", "Edward"), ("Jack", "John"), ("Lizzie", "Elizabeth"), ("Peggy", "Margaret"),
     ("Lou", "Louisa"), ("Artie", "Arthur")],
)  # fmt: skip
def test_english_pet_forms(pet: str, full: str) -> None:
    assert full.lower() in given_name_variants(pet)
    assert pet.lower() in given_name_variants(full)


def test_english_pet_forms_do_not_join_other_names() -> None:
    # Bert is Herbert and Albert; Herbert is not Albert. Jean (French Juan) is not Jane.
    assert "albert" not in given_name_variants("Herbert")
    assert "jane" not in given_name_variants("Jean")
    assert "francis" not in given_name_variants("Frances")
    # The English full form keeps its Spanish canonical form for blocking keys.
    assert canonical_given("Tom") == canonical_given("Thomas") == "tomas"

"""Comparing parsed names: categories for given names, surnames and married forms."""

from __future__ import annotations

import pytest

from vinculo.names import NameComparison, compare_names, parse_person_name


def cmp(a: str, b: str, **kw: str) -> NameComparison:
    return compare_names(parse_person_name(a, **kw), parse_person_name(b, **kw))


# --- given names --------------------------------------------------------------------


def test_exact() -> None:
    c = cmp("Gabriel García Márquez", "GARCÍA MÁRQUEZ, Gabriel")
    assert (c.given, c.surnames, c.married) == ("exact", "both_exact", False)


def test_father_and_son_compare_exact() -> None:
    # same name: only dates of birth can separate them, not the name comparison
    c = cmp("Juan Pérez García", "Juan Pérez García")
    assert (c.given, c.surnames) == ("exact", "both_exact")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Pepe Ruiz Soto", "José Ruiz Soto"),
        ("Paco Ruiz Soto", "Francisco Ruiz Soto"),
        ("Lupe Ruiz Soto", "Guadalupe Ruiz Soto"),
        ("Chucho Ruiz Soto", "Jesús Ruiz Soto"),
        ("Nacho Ruiz Soto", "Ignacio Ruiz Soto"),
        ("Concha Ruiz Soto", "Concepción Ruiz Soto"),
        ("Manolo Ruiz Soto", "Manuel Ruiz Soto"),
        ("Toño Ruiz Soto", "Antonio Ruiz Soto"),
        ("Chema Ruiz Soto", "José María Ruiz Soto"),
        ("Toninho Alves Costa", "Antônio Alves Costa"),
        ("Tião Alves Costa", "Sebastião Alves Costa"),
        ("Zé Alves Costa", "José Alves Costa"),
        ("João Ruiz Soto", "Juan Ruiz Soto"),
        ("Giuseppe Ruiz", "José Ruiz"),
    ],
)
def test_given_variant(a: str, b: str) -> None:
    c = cmp(a, b)
    assert c.given == "variant"
    assert any("hypocoristic" in e for e in c.explanation)


def test_explanation_names_the_equivalence() -> None:
    c = cmp("Pepe Ruiz", "José Ruiz")
    assert "given names agree by hypocoristic or translation (pepe = jose)" in c.explanation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("María José García López", "María García López"),
        ("José María Pérez", "José Pérez"),
        ("João Pedro Alves Costa", "João Alves Costa"),
        ("Juan Carlos Rivera", "Carlos Rivera"),  # goes by the second given name
    ],
)
def test_compound_partial(a: str, b: str) -> None:
    assert cmp(a, b).given == "compound_partial"


def test_maria_jose_is_not_jose_maria() -> None:
    # same tokens, different order: a woman's and a man's name
    assert cmp("María José Pérez", "José María Pérez").given == "different"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("J. Pérez García", "José Pérez García"),
        ("J. M. Pérez García", "José María Pérez García"),
        ("José M. Pérez", "José María Pérez"),
        ("PÉREZ GARCÍA, J.", "Juan Pérez García"),
        ("J. Pérez", "Pepe Pérez"),  # initial of the full form of a pet name
    ],
)
def test_initial(a: str, b: str) -> None:
    assert cmp(a, b).given == "initial"


def test_initial_that_does_not_fit() -> None:
    assert cmp("M. Pérez García", "José Pérez García").given == "different"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Gabriel Pérez", "Grabiel Pérez"),
        ("Guillermo Soto", "Guilermo Soto"),
        ("Rodrigo Vera", "Rodirgo Vera"),  # transposition
    ],
)
def test_given_typo(a: str, b: str) -> None:
    assert cmp(a, b).given == "typo"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Juan Pérez García", "Juana Pérez García"),
        ("Francisco Ruiz", "Francisca Ruiz"),
        ("Mario Soto", "María Soto"),
        ("Luis Vera", "Luisa Vera"),
        ("João Alves", "Joana Alves"),
        ("Antonio Ruiz", "Antonia Ruiz"),
    ],
)
def test_gendered_is_not_a_typo(a: str, b: str) -> None:
    c = cmp(a, b)
    assert c.given == "gendered"
    assert any("different people" in e for e in c.explanation)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Marta Pérez García", "María Pérez García"),  # sisters: one letter apart, both real names
        ("José Pérez García", "Josué Pérez García"),
        ("Pedro Pérez García", "Pablo Pérez García"),
    ],
)
def test_siblings_have_different_given_names(a: str, b: str) -> None:
    c = cmp(a, b)
    assert c.given == "different"
    assert c.surnames == "both_exact"


def test_given_missing() -> None:
    assert cmp("Pérez García", "Juan Pérez García").given == "missing"


# --- surnames ------------------------------------------------------------------------


def test_both_typo() -> None:
    c = cmp("Juan Rodrigez Soto", "Juan Rodríguez Soto")
    assert c.surnames == "both_typo"
    assert cmp("Juan Gonzales Vera", "Juan González Vera").surnames == "both_typo"


def test_second_surname_missing() -> None:
    c = cmp("Gabriel García Márquez", "Gabriel García")
    assert c.surnames == "one_missing"
    assert "second surname missing on one side" in c.explanation


def test_portuguese_first_surname_missing() -> None:
    # Brazilian records keep the last (paternal) surname
    c = cmp("João da Silva Santos", "João Santos")
    assert c.surnames == "one_missing"


def test_spanish_remaining_surname_is_the_maternal_one() -> None:
    # Spanish record keeping only the second surname: a shared surname, not the usual drop
    assert cmp("Gabriel García Márquez", "Gabriel Márquez").surnames == "one_shared"


def test_particles_dropped_on_one_side() -> None:
    assert cmp("Paulo dos Santos Lima", "Paulo Santos Lima").surnames == "both_exact"
    assert cmp("Juan de la Cruz Pérez", "Juan Cruz Pérez").surnames == "both_exact"


def test_paternal_only_match() -> None:
    assert cmp("Juan Pérez García", "Juan Pérez López").surnames == "paternal_only_match"


def test_cousins_with_swapped_surnames() -> None:
    c = cmp("Juan Pérez García", "Juan García Pérez")
    assert c.surnames == "swapped"
    assert any("cousins" in e for e in c.explanation)


def test_reversed_order_across_cultures_is_ambiguous() -> None:
    # a Spanish record and a Brazilian record of the same man can list the surnames reversed
    a = parse_person_name("Carlos Rivera Castro", culture="es")
    b = parse_person_name("Carlos Castro Rivera", culture="pt")
    c = compare_names(a, b)
    assert c.surnames == "order_culture"
    assert a.paternal == b.paternal == "rivera"


def test_reversed_order_unknown_cultures() -> None:
    assert cmp("Carla Bruni Tedeschi", "Carla Tedeschi Bruni").surnames == "order_culture"


def test_one_shared_and_different() -> None:
    assert cmp("Juan Pérez García", "Juan López García").surnames == "one_shared"
    assert cmp("Juan Pérez García", "Juan Vera Soto").surnames == "different"


def test_surnames_missing() -> None:
    assert cmp("Juan", "Juan Pérez").surnames == "missing"


# --- married forms ----------------------------------------------------------------------


def test_married_form_explains_dropped_maternal_surname() -> None:
    c = cmp("María López de Pérez", "María López García")
    assert c.surnames == "one_missing"
    assert c.married is True


def test_married_surname_used_alone() -> None:
    c = cmp("María López de Pérez", "María Pérez")
    assert c.married is True
    assert any("de perez" in e for e in c.explanation)


def test_different_married_surnames_do_not_explain() -> None:
    c = cmp("María López de Pérez", "María López de Vera")
    assert c.married is False
    assert c.surnames == "both_exact"


def test_no_married_form() -> None:
    assert cmp("Juan Pérez García", "Juan Pérez García").married is False


def test_generational_suffix_is_explained() -> None:
    c = cmp("José da Silva", "José da Silva Filho")
    assert c.surnames == "both_exact"
    assert any("suffix" in e for e in c.explanation)

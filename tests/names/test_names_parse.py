"""Parsing Spanish and Portuguese person names (synthetic names or textbook examples)."""

from __future__ import annotations

import pytest

from vinculo.names import parse_person_name


def test_spanish_given_then_paternal_and_maternal() -> None:
    n = parse_person_name("Gabriel García Márquez")
    assert n.given == ("gabriel",)
    assert n.surnames == ("garcia", "marquez")
    assert n.paternal == "garcia"
    assert n.maternal == "marquez"
    assert n.culture == "es"
    assert n.order == "given_first"


def test_portuguese_order_last_surname_is_paternal() -> None:
    n = parse_person_name("João da Silva Santos")
    assert n.given == ("joao",)
    assert n.surnames == ("da silva", "santos")
    assert n.paternal == "santos"
    assert n.maternal == "da silva"
    assert n.culture == "pt"


def test_culture_hint_overrides_inference() -> None:
    # no Portuguese marker in the text: the agency's country says Brazil
    n = parse_person_name("Carlos Mendoza Rivera", culture="pt")
    assert n.culture == "pt"
    assert n.paternal == "rivera"
    assert n.maternal == "mendoza"
    es = parse_person_name("Carlos Mendoza Rivera", culture="es")
    assert es.paternal == "mendoza"


def test_unknown_culture_defaults_to_spanish_convention() -> None:
    n = parse_person_name("Carla Bruni Tedeschi")
    assert n.culture is None
    assert n.paternal == "bruni"
    assert n.maternal == "tedeschi"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Antônio Carlos Souza", "pt"),  # circumflex, Brazilian spelling
        ("Conceição Almeida", "pt"),  # ç, ã
        ("Paulo dos Santos", "pt"),  # pt particle
        ("Sebastião Ferreira", "pt"),  # pt-only given name
        ("Íñigo Muñoz", "es"),  # ñ
        ("Pedro del Río", "es"),  # es particle
        ("José Ortega y Gasset", "es"),  # y between surnames
        ("Pedro Fernández Gutiérrez", "es"),  # -ez surnames
    ],
)
def test_culture_inference(name: str, expected: str) -> None:
    assert parse_person_name(name).culture == expected


def test_missing_second_surname() -> None:
    n = parse_person_name("Gabriel García")
    assert n.surnames == ("garcia",)
    assert n.paternal == "garcia"
    assert n.maternal is None


@pytest.mark.parametrize(
    ("name", "surnames"),
    [
        ("Juan de la Cruz Pérez", ("de la cruz", "perez")),
        ("Ana Pérez de la Cruz", ("perez", "de la cruz")),
        ("Luis del Río Soto", ("del rio", "soto")),
        ("Paulo dos Santos Lima", ("dos santos", "lima")),
        ("Rosa de los Ríos Vera", ("de los rios", "vera")),
        ("Marcos das Neves Costa", ("das neves", "costa")),
    ],
)
def test_particles_stay_with_their_surname(name: str, surnames: tuple[str, ...]) -> None:
    assert parse_person_name(name).surnames == surnames


def test_conjunction_between_surnames_is_dropped() -> None:
    n = parse_person_name("José Ortega y Gasset")
    assert n.surnames == ("ortega", "gasset")
    assert n.maternal == "gasset"


def test_spanish_married_form() -> None:
    n = parse_person_name("María López de Pérez")
    assert n.given == ("maria",)
    assert n.surnames == ("lopez",)
    assert n.paternal == "lopez"
    assert n.married == "perez"


def test_widow_form() -> None:
    n = parse_person_name("Ana López vda. de Gómez")
    assert n.surnames == ("lopez",)
    assert n.married == "gomez"


def test_de_surname_of_a_man_is_not_a_married_form() -> None:
    # a man's "de X" is part of a blood surname, never a married form
    n = parse_person_name("Juan García de León")
    assert n.married is None
    assert n.surnames == ("garcia", "de leon")


def test_portuguese_de_is_not_a_married_form() -> None:
    n = parse_person_name("Joana Ferreira de Souza")
    assert n.married is None
    assert n.paternal == "de souza"


@pytest.mark.parametrize(
    ("name", "given", "surnames"),
    [
        ("María José García López", ("maria", "jose"), ("garcia", "lopez")),
        ("José María Pérez", ("jose", "maria"), ("perez",)),
        ("João Pedro Alves Costa", ("joao", "pedro"), ("alves", "costa")),
        ("Juan Carlos Martín", ("juan", "carlos"), ("martin",)),
        ("José Martín García", ("jose",), ("martin", "garcia")),
        # second given name unknown to the list: 2 given + 2 surnames
        ("Joaquín Archivaldo Guzmán Loera", ("joaquin", "archivaldo"), ("guzman", "loera")),
        ("María del Carmen Ruiz Soto", ("maria", "carmen"), ("ruiz", "soto")),
        ("Maria das Graças Silva", ("maria", "gracas"), ("silva",)),
    ],
)
def test_compound_given_names(name: str, given: tuple[str, ...], surnames: tuple[str, ...]) -> None:
    n = parse_person_name(name)
    assert n.given == given
    assert n.surnames == surnames


@pytest.mark.parametrize(
    ("name", "given", "initials"),
    [
        ("J. Pérez García", (), ("j",)),
        ("J.M. Pérez García", (), ("j", "m")),
        ("J. M. Pérez García", (), ("j", "m")),
        ("José M. Pérez García", ("jose",), ("m",)),
    ],
)
def test_initials(name: str, given: tuple[str, ...], initials: tuple[str, ...]) -> None:
    n = parse_person_name(name)
    assert n.given == given
    assert n.initials == initials
    assert n.surnames == ("perez", "garcia")


@pytest.mark.parametrize(
    "variant",
    [
        "GABRIEL GARCÍA MÁRQUEZ",
        "gabriel garcia marquez",
        "Gabriel Garcia Marquez",
        "GARCÍA MÁRQUEZ, Gabriel",
        "GARCIA MARQUEZ, GABRIEL",
        "García Márquez, Gabriel",
        "GARCÍA MÁRQUEZ Gabriel",  # registry style: surnames in capitals first
        "Gabriel GARCÍA MÁRQUEZ",
        "García-Márquez, Gabriel",
    ],
)
def test_accents_case_and_surnames_first(variant: str) -> None:
    n = parse_person_name(variant)
    assert n.given == ("gabriel",)
    assert n.surnames == ("garcia", "marquez")
    assert n.paternal == "garcia"


def test_order_is_reported() -> None:
    assert parse_person_name("GARCÍA MÁRQUEZ, Gabriel").order == "surnames_first"
    assert parse_person_name("GARCÍA MÁRQUEZ Gabriel").order == "surnames_first"
    assert parse_person_name("Gabriel García Márquez").order == "given_first"


def test_registry_surnames_first_without_comma_or_case() -> None:
    # e.g. paternal, maternal, given names as in many Latin American registries
    n = parse_person_name("PEREZ GARCIA JUAN CARLOS")
    assert n.given == ("juan", "carlos")
    assert n.surnames == ("perez", "garcia")
    assert n.order == "surnames_first"


def test_first_and_last_fields() -> None:
    n = parse_person_name(first="Juan Carlos", last="García Márquez")
    assert n.given == ("juan", "carlos")
    assert n.surnames == ("garcia", "marquez")
    assert n.paternal == "garcia"


def test_fields_win_over_full_name() -> None:
    # the full string is ambiguous (Martín is a given name and a surname); the fields are not
    n = parse_person_name("José Martín García", first="José Martín", last="García")
    assert n.given == ("jose", "martin")
    assert n.surnames == ("garcia",)


def test_one_field_with_full_name() -> None:
    n = parse_person_name("Juan Carlos Pérez Soto", first="Juan Carlos")
    assert n.surnames == ("perez", "soto")
    m = parse_person_name("Juan Carlos Pérez Soto", last="Pérez Soto")
    assert m.given == ("juan", "carlos")


def test_father_and_son_with_the_same_name_parse_identically() -> None:
    father = parse_person_name("Juan Pérez García")
    son = parse_person_name("Juan Pérez García")
    assert father == son


def test_generational_suffix_and_alias_are_kept_apart() -> None:
    n = parse_person_name("José da Silva Filho")
    assert n.surnames == ("da silva",)
    assert n.suffix == "filho"
    m = parse_person_name('Joaquín "El Chapo" Guzmán')
    assert m.given == ("joaquin",)
    assert m.surnames == ("guzman",)
    assert m.aliases == ("El Chapo",)
    assert m.original == 'Joaquín "El Chapo" Guzmán'
    k = parse_person_name("Pedro Soto Vera alias El Flaco")
    assert k.surnames == ("soto", "vera")
    assert k.aliases == ("El Flaco",)


def test_single_tokens() -> None:
    assert parse_person_name("Pérez").surnames == ("perez",)
    assert parse_person_name("Pérez").given == ()
    assert parse_person_name("Guadalupe").given == ("guadalupe",)
    assert parse_person_name("").given == ()


def test_parse_is_cached() -> None:
    assert parse_person_name("Rosa Vera Soto") is parse_person_name("Rosa Vera Soto")

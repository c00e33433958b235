"""The vectorised comparison gives exactly the scalar ``compare_people``'s levels, pair by pair."""

from __future__ import annotations

import csv
import dataclasses
import itertools

import numpy as np
import pytest

from vinculo.demo import generate
from vinculo.matching import vectorised
from vinculo.matching.blocking import candidate_pairs
from vinculo.matching.compare import compare_people
from vinculo.matching.files import load_profiles, profile_from_row
from vinculo.matching.model import Model
from vinculo.matching.profile import Profile
from vinculo.matching.vectorised import Encoder, level_codes_vectorised
from vinculo.matching.xref import level_codes, random_pairs
from vinculo.names import parse_person_name

MODEL = Model.load()


def scalar_codes(
    left: list[Profile], right: list[Profile], pairs: list[tuple[int, int]]
) -> np.ndarray:
    return np.array(
        [MODEL.encode(compare_people(left[i], right[j])) for i, j in pairs], dtype=np.int8
    ).reshape(len(pairs), len(MODEL.features))


def assert_same_levels(
    left: list[Profile],
    right: list[Profile],
    pairs: list[tuple[int, int]],
    workers: int = 1,
) -> None:
    expected = scalar_codes(left, right, pairs)
    got = level_codes_vectorised(MODEL.features, left, right, pairs, workers=workers)
    assert got.shape == expected.shape
    wrong = np.flatnonzero((got != expected).any(axis=1))
    if len(wrong):
        features = list(MODEL.features)
        k = int(wrong[0])
        i, j = pairs[k]
        diff = {
            f: (MODEL.features[f][expected[k, c]], MODEL.features[f][got[k, c]])
            for c, f in enumerate(features)
            if expected[k, c] != got[k, c]
        }
        pytest.fail(f"{len(wrong)} pairs differ; first {left[i].id} / {right[j].id}: {diff}")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> list[Profile]:
    directory = tmp_path_factory.mktemp("scenario")
    generate(directory, seed=11, scale=1500)
    with (directory / "agencies.csv").open(encoding="utf-8", newline="") as fh:
        agencies = list(csv.DictReader(fh))
    profiles: list[Profile] = []
    for agency in agencies:
        path = directory / agency["code"] / "people.csv"
        if path.is_file():
            loaded = load_profiles(path, agency["code"], agency["country"], f"{agency['code']}/")
            profiles.extend(loaded.profiles)
    return profiles


def test_generated_candidates_and_random_pairs(scenario: list[Profile]) -> None:
    pairs, _ = candidate_pairs(scenario)
    assert len(pairs) > 500
    assert_same_levels(scenario, scenario, pairs)
    assert_same_levels(scenario, scenario, random_pairs(len(scenario), None, 20_000, seed=4))


def test_linking_two_sides_and_the_parallel_path(
    scenario: list[Profile], monkeypatch: pytest.MonkeyPatch
) -> None:
    half = len(scenario) // 2
    left, right = scenario[:half], scenario[half:]
    pairs, _ = candidate_pairs(left, right)
    # Every distinct name pair through the forked workers.
    monkeypatch.setattr(vectorised, "PARALLEL_MIN_DISTINCT", 1)
    assert_same_levels(left, right, pairs, workers=2)


def test_xref_level_codes_use_the_vectorised_path(scenario: list[Profile]) -> None:
    pairs, _ = candidate_pairs(scenario)
    encoder = Encoder()
    first = level_codes(MODEL, scenario, scenario, pairs, encoder=encoder)
    again = level_codes(MODEL, scenario, scenario, pairs, encoder=encoder)  # cached results
    scalar = level_codes(MODEL, scenario, scenario, pairs, vectorised=False)
    assert np.array_equal(first, scalar)
    assert np.array_equal(again, scalar)


ROWS: list[dict[str, str]] = [
    {"name": "José Luis Pérez García", "birth_date": "1980-03-12", "gender": "male"},
    {"name": "PEREZ GARCIA, JOSE LUIS", "birth_date": "1980-12-03", "gender": "male"},
    {"name": "Jose L. Perez Garcia", "birth_date": "1980-03-13"},
    {"name": "J. L. Pérez", "birth_date": "1981-03-12"},
    {"name": "Pepe Pérez García", "birth_date": "1980-03"},
    {"name": "José Pérez Garcia", "birth_date": "1980"},
    {"name": "José Luis García Pérez", "birth_date": "1980-03-12", "nationality": "ES"},
    {"name": "Juan Pérez García", "birth_date": "1979-03-12", "gender": "male"},
    {"name": "Juana Pérez García", "birth_date": "1979-03-12", "gender": "female"},
    {"name": "Juna Perez Garcia", "birth_date": "1979-03-21"},
    {"name": "María José Rodríguez Ospina", "birth_date": "1979-11-05"},
    {"name": "María Rodríguez", "birth_date": "1979-11-05", "gender": "female"},
    {"name": "Maria Jose Rodrigues Ospina", "birth_date": "1979-11-15"},
    {"name": "María Rodríguez de Gómez", "birth_date": "1979-11-05"},
    {"name": "João Pedro da Silva Santos", "birth_date": "1988-02-02", "nationality": "BR"},
    {"name": "Joao Pedro Santos Silva", "birth_date": "1988-02-02", "nationality": "PT"},
    {"name": "Juan Pedro Silva Santos", "birth_date": "1988-02-02", "nationality": "CO"},
    {"name": "Joana Silva", "birth_date": "1988-02-20"},
    {"name": "Francisco Javier Gómez Castaño", "id_number": "79.512.345"},
    {"name": "Paco Gómez Castaño", "id_number": "79512345", "phone": "+57 310 555 0101"},
    {"name": "Francisco Gomez", "id_number": "79512346", "passport_number": "AB123456"},
    {"name": "Francisco Gómez Castano", "id_number": "X-7951-2345", "passport_number": "AB123456"},
    {"name": "Guadalupe Torres Méndez", "address": "Calle 45 # 12-30, Bogotá"},
    {"name": "Lupe Torres Mendez", "address": "Calle 45 12 30 Bogota"},
    {"name": "Guadalupe Torres", "address": "Carrera 7 # 12-30, Medellín", "alias": "La Güera"},
    {"name": "Lupita Torres", "alias": "la guera", "email": "lupe@example.org"},
    {"name": "Ana", "birth_place": "Cali", "email": "lupe@example.org"},
    {"name": "Ana", "birth_place": "Calli"},
    {"name": "Ana Ruiz", "birth_place": "Medellin", "gender": "female"},
    {"name": "Ruiz", "birth_date": "2001-01-01"},
    {"name": "Carlos Andrés Muñoz Rincón", "birth_date": "1970-05-05"},
    {"name": "Carla Muñoz Rincón", "birth_date": "1970-05-05"},
    {"name": "Carlos Munoz Rincon Jr", "birth_date": "1995-05-05"},
    {"name": "C. A. Muñoz", "birth_date": "1970-5-5"},
]


def tricky_profiles() -> list[Profile]:
    profiles = []
    for n, row in enumerate(ROWS):
        country = row.get("nationality", "CO")
        profiles.append(profile_from_row({"id": f"r{n}", **row}, f"A{n % 3}", country))
    # Profiles the files cannot express: several names, several or irregular birth dates,
    # national ids of several schemes, unvalidated ids that differ by one character.
    several = (
        parse_person_name("José Luis Pérez García"),
        parse_person_name("Pepe Pérez"),
    )
    profiles += [
        Profile("m1", names=several, birth_dates=("1980-03-12", "1980-12-03")),
        Profile(
            "m2",
            names=(parse_person_name("Juan Pérez García"), parse_person_name("El Flaco Pérez")),
            birth_dates=("1980",),
        ),
        Profile("m3", names=several[::-1], birth_dates=("1980-03-12", "1856-81-01")),
        Profile(
            "m4",
            names=(parse_person_name("Maria Rodriguez"),),
            birth_dates=("1979-11-05", "1979"),
            national_ids=frozenset({"co.cedula:79512345", "es.dni:12345678Z"}),
            weak_ids=frozenset({"79512354"}),
            gender="other",
        ),
        Profile(
            "m5",
            names=(parse_person_name("María Rodríguez"),),
            birth_dates=("1979-11-05",),
            national_ids=frozenset({"es.dni:87654321X"}),
            weak_ids=frozenset({"7951234", "A1"}),
            countries=frozenset({"ES", "CO"}),
        ),
        Profile("m6", weak_ids=frozenset({"79512345"}), birth_places=frozenset({"cali", "valle"})),
        Profile("m7", national_ids=frozenset({"co.cedula:79512345"})),
        Profile("m8", names=(), birth_dates=("1979-1-5",), birth_places=frozenset({"valle"})),
    ]
    return profiles


def test_hard_name_cases_all_pairs() -> None:
    profiles = tricky_profiles()
    pairs = [(i, j) for i, j in itertools.product(range(len(profiles)), repeat=2) if i != j]
    assert_same_levels(profiles, profiles, pairs)
    # and across two sequences encoded one after the other by one encoder
    half = len(profiles) // 2
    cross = list(itertools.product(range(half), range(len(profiles) - half)))
    assert_same_levels(profiles[:half], profiles[half:], cross)


def test_levels_follow_a_models_own_level_order() -> None:
    profiles = tricky_profiles()
    pairs = [(0, 1), (7, 8), (14, 15), (18, 19)]
    reordered = {f: tuple(reversed(levels)) for f, levels in MODEL.features.items()}
    got = level_codes_vectorised(reordered, profiles, profiles, pairs)
    for (i, j), row in zip(pairs, got, strict=True):
        levels = compare_people(profiles[i], profiles[j])
        assert [reordered[f][c] for f, c in zip(reordered, row, strict=True)] == [
            levels[f] for f in reordered
        ]


def test_empty_input() -> None:
    assert level_codes_vectorised(MODEL.features, [], [], []).shape == (0, len(MODEL.features))


GIVEN = [
    "juan", "juana", "jose", "josefa", "pepe", "maria", "mario", "john", "jon", "johm", "william",
    "willaim", "wiliam", "bob", "robert", "roberto", "beto", "alberto", "ana", "anna", "joao",
    "joana", "francisco", "paco", "frank", "o'brien", "xochitl", "X. Æ.", "carlos", "carla",
    "carlota", "josefina", "pedro", "petra", "georgie", "georgia", "bert", "berta", "thomas",
    "thomzs", "tomas", "6homas", "manuel", "manuela", "sebastiao", "sebastiana", "ao", "ana",
    "T.", "J. R.",
]  # fmt: skip
SURNAMES = [
    "smith", "smyth", "smiht", "jones", "johns", "garcia", "garsia", "perez", "peres", "cruz",
    "de la cruz", "oneil", "o neil", "mcdonald", "macdonald", "zubizarreta", "ng", "li", "lee",
    "bennet", "bennett", "chudleigh", "chydleigh", "perez garcia", "garcia perez", "",
    "perez gomez", "peres garcia", "lopez garcia", "da silva santos", "santos silva",
    "gomez castano", "castano gomez", "ruiz de la cruz", "ng li", "perez garcia lopez",
    "garcia lopez perez", "souza", "souza costa", "costa souza", "da costa", "ortuño",
]  # fmt: skip


COMPOUND = [
    "juan manuel", "juan", "manuel", "jose maria", "maria jose", "maria", "mario", "jose",
    "chema", "ana maria", "ana", "patricia ana", "patricia", "mario joaquin", "emilia milagros",
    "emilio", "pepe luis", "luis", "juana manuela", "francisco javier", "paco", "javier",
]  # fmt: skip


def test_single_given_names_and_surnames_decided_on_arrays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Most distinct pairs of given names and of surnames are decided on arrays
    (``Encoder._decided``: exact, missing, typo, different), the rest by the scalar code; all
    as the scalar code."""
    names = [f"{g} {s}" for g, s in itertools.product(GIVEN, ["smith", "garcia perez"])]
    names += [f"{g} {s}" for g, s in itertools.product(["juan", "thomas"], SURNAMES)]
    names += [f"smith, {g}" for g in COMPOUND]
    profiles = [Profile(n, names=(parse_person_name(n),)) for n in names]
    pairs = [(i, j) for i, j in itertools.product(range(len(profiles)), repeat=2) if i != j]
    calls = {"given": 0, "surnames": 0}
    given_level, surname_level = Encoder._given_level, Encoder._surname_level

    def given(self: Encoder, a: int, b: int) -> int:
        calls["given"] += 1
        return given_level(self, a, b)

    def surnames(self: Encoder, a: int, b: int) -> int:
        calls["surnames"] += 1
        return surname_level(self, a, b)

    monkeypatch.setattr(Encoder, "_given_level", given)
    monkeypatch.setattr(Encoder, "_surname_level", surnames)
    assert_same_levels(profiles, profiles, pairs)
    # Distinct part pairs: about len(GIVEN)² given names, len(SURNAMES)² surnames.
    assert 0 < calls["given"] < (len(GIVEN) + len(COMPOUND)) ** 2 // 3
    assert calls["surnames"] < len(SURNAMES) ** 2 // 4


def test_batch_scores_equal_the_real_time_scores(scenario: list[Profile]) -> None:
    pairs, _ = candidate_pairs(scenario)
    codes = level_codes(MODEL, scenario, scenario, pairs)
    batch = MODEL.score_codes(codes)
    for (i, j), probability in zip(pairs, batch.tolist(), strict=True):
        assert MODEL.score(compare_people(scenario[i], scenario[j])).probability == probability


PLACES = [
    "cali", "calli", "clai", "cal", "lima", "bogota", "bogata", "bogot", "bgoota", "lisboa",
    "lisbao", "porto", "portos", "sao paulo", "são paulo", "sao paolo", "medellin", "medellín",
    "x", "",
]  # fmt: skip


def test_birth_places_decided_on_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    """One birth place on each side: places too far apart for one edit are decided on arrays
    (``Encoder._places_apart``), the rest (typos, transpositions, several places) by the scalar
    code; every level as the scalar code's."""
    places = [frozenset({p}) for p in PLACES if p] + [
        frozenset({"cali", "valle"}),
        frozenset({"bogota", "cundinamarca"}),
    ]
    profiles = [Profile(f"p{n}", birth_places=p) for n, p in enumerate(places)]
    pairs = [(i, j) for i, j in itertools.product(range(len(profiles)), repeat=2) if i != j]
    scalar_calls: list[tuple[int, int]] = []
    original = Encoder._place_level

    def counted(self: Encoder, a: int, b: int) -> int:
        scalar_calls.append((a, b))
        return original(self, a, b)

    monkeypatch.setattr(Encoder, "_place_level", counted)
    assert_same_levels(profiles, profiles, pairs)
    # "cali"/"lima" and "bogota"/"lisboa" are apart on letter counts alone; "cali"/"calli" is not.
    assert 0 < len(scalar_calls) < len(pairs) // 2


def test_large_batches_score_as_the_real_time_check() -> None:
    """From ``model.SCORE_THREADS_MIN`` pairs the weights are summed on two threads: every
    probability is still the one the real-time check gives for the same levels."""
    from vinculo.matching import model as model_module

    rng = np.random.default_rng(7)
    n = model_module.SCORE_THREADS_MIN + 1001
    codes = np.stack(
        [rng.integers(0, len(levels), n).astype(np.int8) for levels in MODEL.features.values()],
        axis=1,
    )
    batch = MODEL.score_codes(codes)
    assert len(batch) == n
    # Rows from both halves, the boundary included.
    for row in [0, 1, n // 2 - 1, n // 2, n // 2 + 1, n - 1, *rng.integers(0, n, 300).tolist()]:
        levels = {f: MODEL.features[f][codes[row, c]] for c, f in enumerate(MODEL.features)}
        assert MODEL.score(levels).probability == batch[row]


PLAIN_GIVEN = [
    "juan", "juana", "mario", "maria", "joao", "joana", "carlos", "carla", "jose", "josefa",
    "pepe", "francisco", "francisca", "francesca", "paco", "thomas", "thomzs", "tomas",
    "william", "willaim", "patricia", "patricio", "patrick", "emilia milagros", "emilio",
    "maria luz", "mario joaquin", "jose maria", "chema", "maria jose", "juan manuel",
    "juana manuela", "luiz henrique", "luiza isabelly", "santiago benjamin", "thiago benjamin",
    "santino benjaamin", "jose miguel", "joe miguel", "luis miguel", "luiz miguel",
    "ana maria luisa", "ana maria luiza", "anna maria luisa", "juana maria luisa",
]  # fmt: skip


def test_given_names_without_initials_decided_on_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    """One to three given names on each side and no initials (gendered pairs, listed variants,
    compound names, typos, names written together that are a variant, names not folded) are
    decided on arrays (``Encoder._plain_given``) with the scalar code's levels; only two names
    against three go through it."""
    names = [parse_person_name(f"{g} garcia") for g in PLAIN_GIVEN]
    # Tokens as the parser never leaves them: accents and capitals (``gendered_pair`` and
    # ``given_name_variants`` fold, ``are_variants`` and ``is_typo`` do not).
    for given in [
        ("José",),
        ("JUAN",),
        ("Juana",),
        ("Thomzs",),
        ("maria", "José"),
        ("María", "jose"),
    ]:
        names.append(dataclasses.replace(names[0], given=given))
    profiles = [Profile(f"g{n}", names=(name,)) for n, name in enumerate(names)]
    pairs = [(i, j) for i, j in itertools.product(range(len(profiles)), repeat=2) if i != j]
    sizes: list[tuple[int, int]] = []
    original = Encoder._given_level

    def counted(self: Encoder, a: int, b: int) -> int:
        sizes.append((len(self.given.values[a].given), len(self.given.values[b].given)))
        return original(self, a, b)

    monkeypatch.setattr(Encoder, "_given_level", counted)
    assert_same_levels(profiles, profiles, pairs)
    assert sizes
    assert set(sizes) <= {(2, 3), (3, 2)}


def all_token_pairs(strings: list[str]) -> tuple[vectorised._Tokens, np.ndarray, np.ndarray]:
    """The strings interned as tokens, and every ordered pair of them (a, b)."""
    tokens = vectorised._Tokens()
    for s in strings:
        tokens.id(s)
    tokens.flush()
    a, b = np.divmod(np.arange(len(strings) ** 2), len(strings))
    return tokens, a.astype(np.int32), b.astype(np.int32)


def test_token_bag_distance_and_gendered_pairs() -> None:
    """The bag distance from the letter bits equals the letter counts' (letters more than four
    times included), and ``gendered`` is exactly ``gendered_pair`` on every pair of the known
    given names (its shortcut, the feminine forms of the ending rules, misses none)."""
    from collections import Counter

    from vinculo.names._data import name_data
    from vinculo.names.variants import gendered_pair

    strings = [
        "ana", "anna", "banana", "aaaaaa", "aaaaa", "aaaab", "bbbbbbbaaaaa", "o'brien", "obrien",
        "6homas", "thomas", "x", "", "mississippi", "misisipi", "zzzzzzzzzz", "zzzzz",
    ]  # fmt: skip
    tokens, a, b = all_token_pairs(strings)

    def bag(x: str, y: str) -> int:
        cx = Counter(c if "a" <= c <= "z" else "?" for c in x)
        cy = Counter(c if "a" <= c <= "z" else "?" for c in y)
        return max(sum((cx - cy).values()), sum((cy - cx).values()))

    expected = [bag(strings[i], strings[j]) for i, j in zip(a.tolist(), b.tolist(), strict=True)]
    assert tokens.bag(a, b).tolist() == expected

    given = sorted(name_data().given)
    tokens, a, b = all_token_pairs(given)
    expected_gendered = [
        gendered_pair(given[i], given[j]) for i, j in zip(a.tolist(), b.tolist(), strict=True)
    ]
    assert any(expected_gendered)
    assert tokens.gendered(a, b).tolist() == expected_gendered

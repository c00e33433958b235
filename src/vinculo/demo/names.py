"""Name pools and the clerical variations of names.

Faker is slow per call, so each locale is sampled once into pools (duplicates kept, so Faker's
frequency weights survive) and records combine pool entries with ``random.Random``.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from faker import Faker

POOL_SIZE = 1500


@dataclass(frozen=True, slots=True)
class NamePool:
    male: tuple[str, ...]
    female: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]


def build_pool(locale: str, seed: int) -> NamePool:
    fake = Faker(locale)
    fake.seed_instance(seed)
    male = tuple(fake.first_name_male() for _ in range(POOL_SIZE))
    female = tuple(fake.first_name_female() for _ in range(POOL_SIZE))
    last = tuple(fake.last_name() for _ in range(POOL_SIZE * 2))
    streets = tuple(fake.street_name() for _ in range(POOL_SIZE // 3))
    # Some locales (es_MX) return surnames with a space-separated second one; keep single ones.
    last = tuple(s for s in last if " " not in s.replace("de ", "").replace("da ", "")) or last
    return NamePool(male, female, last, streets)


# Hypocoristics a clerk or an informant may use instead of the given name.
HYPOCORISTICS: dict[str, tuple[str, ...]] = {
    "José": ("Pepe", "Chepe"),
    "Francisco": ("Paco", "Pancho", "Chico"),
    "Guadalupe": ("Lupe",),
    "Jesús": ("Chucho", "Chuy"),
    "Ignacio": ("Nacho",),
    "Concepción": ("Concha", "Conchita"),
    "Manuel": ("Manolo",),
    "Antonio": ("Toño", "Toni"),
    "José María": ("Chema",),
    "Antônio": ("Toninho", "Tonho"),
    "Sebastião": ("Tião",),
    "Alejandro": ("Alejo", "Álex"),
    "Roberto": ("Beto",),
    "Alberto": ("Beto",),
    "Guillermo": ("Memo",),
    "Enrique": ("Quique",),
    "Rafael": ("Rafa",),
    "Dolores": ("Lola",),
    "Rosario": ("Charo",),
    "Mercedes": ("Merche",),
    "Eduardo": ("Lalo",),
    "Luis": ("Lucho",),
    "Fernando": ("Nando",),
    "Francisca": ("Paquita",),
    "Juan": ("Juancho",),
    "Carlos": ("Carlitos",),
    "Andrés": ("Pipe",),
    "Felipe": ("Pipe",),
    "Ricardo": ("Richi",),
    "Jorge": ("Coque",),
    "João": ("Joãozinho",),
    "Pedro": ("Pedrinho",),
}

# Male and female forms of the same given name (the Juan / Juana look-alikes).
GENDER_PAIRS: tuple[tuple[str, str], ...] = (
    ("Juan", "Juana"),
    ("Francisco", "Francisca"),
    ("Antonio", "Antonia"),
    ("Luis", "Luisa"),
    ("Manuel", "Manuela"),
    ("Daniel", "Daniela"),
    ("Gabriel", "Gabriela"),
    ("Fernando", "Fernanda"),
    ("Alejandro", "Alejandra"),
    ("Carlos", "Carla"),
    ("Mariano", "Mariana"),
    ("Adriano", "Adriana"),
    ("Marcelo", "Marcela"),
    ("Rafael", "Rafaela"),
    ("Emilio", "Emilia"),
    ("Patricio", "Patricia"),
    ("Julio", "Julia"),
    ("Paulo", "Paula"),
    ("João", "Joana"),
    ("Ángel", "Ángela"),
)

_ALIASES_ES = (
    "El Flaco",
    "El Gordo",
    "El Mono",
    "El Paisa",
    "El Costeño",
    "El Chino",
    "El Negro",
    "El Viejo",
    "El Profe",
    "El Ingeniero",
    "El Doctor",
    "Gato",
    "Tigre",
    "Mosca",
    "Caballo",
    "El Zorro",
    "Cachaco",
    "El Tuerto",
    "El Primo",
    "El Gringo",
    "Pollo",
    "Conejo",
    "Chivo",
    "La Flaca",
    "La Mona",
    "La Patrona",
    "La Reina",
    "La Señora",
    "La Gata",
    "La China",
)
_ALIASES_PT = (
    "Gordinho",
    "Magrelo",
    "Baiano",
    "Paraíba",
    "Alemão",
    "Tiozinho",
    "Nego",
    "Russo",
    "Galego",
    "Cabeça",
    "Professor",
    "Doutor",
    "Mineiro",
    "Gringo",
    "Cearense",
    "Tubarão",
    "Madrinha",
    "Loira",
    "Patroa",
    "Baixinha",
)
_ALIASES_OTHER = (
    "Le Grand",
    "Le Gitan",
    "Il Biondo",
    "Il Professore",
    "De Baas",
    "De Kapper",
    "Tito",
    "Mimmo",
    "Nano",
    "Rico",
)

PARTICLES = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "y",
        "da",
        "do",
        "dos",
        "das",
        "e",
        "van",
        "der",
        "den",
        "von",
        "di",
        "le",
        "du",
    }
)


def criminal_alias(rng: random.Random, naming: str, female: bool) -> str:
    pool: tuple[str, ...]
    if naming == "pt":
        pool = _ALIASES_PT[-4:] if female else _ALIASES_PT[:-4]
    elif naming == "es":
        pool = _ALIASES_ES[-7:] if female else _ALIASES_ES[:-7]
    else:
        pool = _ALIASES_OTHER
    alias = rng.choice(pool)
    if rng.random() < 0.3:
        alias += " " + rng.choice(("Junior", "II", "del Sur", "de Cali", "do Porto", "Chico"))
    return alias


@lru_cache(maxsize=1 << 16)
def strip_accents(text: str) -> str:
    """Drop accents and tildes as ASCII-only systems do (ñ -> n, ç -> c)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NEIGHBOURS = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "mb",
    "o": "ip",
    "p": "o",
    "q": "w",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}


def typo(word: str, rng: random.Random) -> str:
    """One edit a tired clerk makes: a neighbouring key, a dropped, doubled or swapped letter."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.35:
        c = word[i]
        repl = rng.choice(_NEIGHBOURS.get(c.lower(), "e"))
        return word[:i] + (repl.upper() if c.isupper() else repl) + word[i + 1 :]
    if kind < 0.6:
        return word[:i] + word[i + 1 :]
    if kind < 0.8:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def title_particles(text: str) -> str:
    """Faker already writes particles in lower case; keep them so after case changes too."""
    return " ".join(w.lower() if w.lower() in PARTICLES else w for w in text.split(" "))

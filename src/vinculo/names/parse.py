"""Parse Spanish and Portuguese person names into given names and surnames.

Spanish: ``<given 1-2> <paternal surname> <maternal surname>`` ("Gabriel García
Márquez"), married women may append ``de <husband's surname>``.  Portuguese and
Brazilian: ``<given> <maternal> <paternal>`` ("João da Silva Santos" — Santos is
usually the father's).  Registries also write ``SURNAMES, Given`` or put the
surnames first in capitals.  Particles (de, del, de la, da, dos, ...) stay with
the surname they introduce; the conjunctions y/e between surnames are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from vinculo.identifiers import fold_name, nfc
from vinculo.names._data import name_data

GIVEN_FIRST = "given_first"
SURNAMES_FIRST = "surnames_first"


@dataclass(frozen=True, slots=True)
class PersonName:
    """A parsed person name; every token is folded (lower case, no accents)."""

    original: str
    given: tuple[str, ...]
    surnames: tuple[str, ...]
    paternal: str | None
    maternal: str | None
    married: str | None
    initials: tuple[str, ...]
    culture: str | None
    order: str
    # Extensions beyond the brief, with defaults so that the positional API holds.
    suffix: str | None = None  # generational: hijo, jr, filho, neto, sobrinho
    aliases: tuple[str, ...] = ()  # 'alias "El Flaco"', quoted nicknames


# --- vocabularies ---------------------------------------------------------------

_ES_PARTICLES = frozenset({"de", "del"})
_PT_PARTICLES = frozenset({"da", "do", "das", "dos"})
_ARTICLES = frozenset({"la", "las", "los", "lo", "le"})
_OTHER_PARTICLES = frozenset({"di", "du", "van", "von", "der", "den", "san", "santa", "mac"})
_PARTICLES = _ES_PARTICLES | _PT_PARTICLES | _OTHER_PARTICLES
_CONJUNCTIONS = frozenset({"y", "e", "i"})
_TITLES = frozenset(
    {
        "sr",
        "sra",
        "srta",
        "don",
        "dona",
        "dna",
        "dr",
        "dra",
        "lic",
        "ing",
        "prof",
        "senor",
        "senora",
    }
)
_SUFFIXES = frozenset(
    {"jr", "junior", "hijo", "filho", "neto", "sobrinho", "ii", "iii", "iv", "sr", "senior"}
)
_WIDOW = frozenset({"vda", "viuda", "vd", "viuva"})
# "María del Carmen", "Maria das Graças", "Juan de Dios": the particle belongs to the given name.
_DEVOTIONAL = frozenset(
    {
        "carmen", "luz", "angeles", "lourdes", "lurdes", "fatima", "pilar", "rosario", "mar",
        "socorro", "consuelo", "jesus", "dolores", "mercedes", "guadalupe", "gracia", "paz",
        "nieves", "asuncion", "concepcion", "belen", "montserrat", "loreto", "rocio", "carmo",
        "conceicao", "gracas", "gloria", "penha", "dores", "piedade", "dios", "esperanza",
        "soledad", "remedios", "milagros", "refugio", "anunciacao", "luis", "fe",
    }
)  # fmt: skip
_DEVOTIONAL_AFTER = frozenset({"maria", "jose", "juan", "ana", "joao"})

_PT_CHARS = frozenset("ãõâêôçÃÕÂÊÔÇ")
_ES_CHARS = frozenset("ñÑüÜ")

_ALIAS_RE = re.compile(
    r"(?:^|[\s,]+)(?:alias|aka|a\.k\.a\.?|vulgo|apodo|apodado|conocido como|\(a\))\s+(.+)$",
    re.IGNORECASE,
)
_QUOTED_RE = re.compile(r"[\"“”«»]([^\"“”«»]+)[\"“”«»]")
_APOSTROPHE_RE = re.compile(r"['’`´]")
_SPLIT_RE = re.compile(r"[\s\-‐‑–—_/;:()\[\]]+")
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?$|^[^\W\d_]$")
_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(slots=True)
class _Tok:
    text: str  # folded
    initial: bool
    dotted: bool
    upper: bool  # written in capitals (and longer than one letter)


@dataclass(slots=True)
class _Elem:
    text: str  # folded, particles included: "de la cruz"
    core: str  # without particles: "cruz"
    particles: tuple[str, ...]
    initial: bool
    upper: bool


# --- tokenising -------------------------------------------------------------------


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for piece in _SPLIT_RE.split(_APOSTROPHE_RE.sub("", text)):
        raw = piece.strip(",")
        if not raw:
            continue
        if _INITIALS_RE.match(raw):
            dotted = "." in raw
            for letter in _LETTER_RE.findall(raw):
                out.append(_Tok(fold_name(letter), True, dotted, False))
            continue
        raw = raw.strip(".")
        folded = fold_name(raw)
        upper = raw.isupper()
        for part in folded.split():
            out.append(_Tok(part, len(part) == 1, False, upper))
    return out


def _elements(toks: list[_Tok], *, drop_conj: bool = True) -> tuple[list[_Elem], set[str]]:
    """Group particles with the word they introduce; drop conjunctions between words."""
    elems: list[_Elem] = []
    conj: set[str] = set()
    pending: list[str] = []
    n = len(toks)
    for i, tok in enumerate(toks):
        t = tok.text
        if (
            drop_conj
            and t in _CONJUNCTIONS
            and not tok.dotted
            and elems
            and not pending
            and i + 1 < n
        ):
            conj.add(t)
            continue
        if (
            not tok.initial
            and i + 1 < n
            and not toks[i + 1].initial
            and (t in _PARTICLES or (pending and t in _ARTICLES))
        ):
            pending.append(t)
            continue
        if i == n - 1 and elems and not tok.initial and (t in _PARTICLES or t in _CONJUNCTIONS):
            continue  # dangling particle or conjunction at the end
        if tok.initial and not pending:
            elems.append(_Elem(t, t, (), True, False))
            continue
        text = " ".join([*pending, t])
        elems.append(_Elem(text, t, tuple(pending), False, tok.upper))
        pending = []
    return elems, conj


# --- classification ----------------------------------------------------------------


def _is_given(core: str) -> bool:
    data = name_data()
    return core in data.given or core in data.variants


def _is_surname(core: str) -> bool:
    return core in name_data().surnames


def _split_given_first(elems: list[_Elem]) -> int:
    """Number of leading elements that are given names (the rest are surnames)."""
    n = len(elems)
    if n == 0:
        return 0
    if n == 1:
        e = elems[0]
        return 1 if e.initial or (_is_given(e.core) and not _is_surname(e.core)) else 0
    i = 0
    while i < n - 1 and elems[i].initial:
        i += 1
    if i == 0:
        first = elems[0]
        if first.particles or all(
            _is_surname(e.core) and not _is_given(e.core) for e in elems if not e.initial
        ):
            return 0
        i = 1
    words = sum(1 for e in elems[:i] if not e.initial)
    while i < n - 1:
        e = elems[i]
        after = n - i - 1
        prev = elems[i - 1].core
        if e.initial:
            pass
        elif e.particles:
            if not (e.core in _DEVOTIONAL and prev in _DEVOTIONAL_AFTER):
                break
        else:
            given, surname = _is_given(e.core), _is_surname(e.core)
            if surname and not given:
                break
            if given and surname and after < 2:
                break
            if not given and not (words == 1 and after >= 2):
                break
            words += 1
        i += 1
    return i


def _case_split(elems: list[_Elem]) -> tuple[int, str] | None:
    """Registry style: surnames in capitals, given names not (or the reverse)."""
    marks = [(i, e.upper) for i, e in enumerate(elems) if not e.initial]
    if len(marks) < 2:
        return None
    ups = [u for _, u in marks]
    if all(ups) or not any(ups):
        return None
    switches = sum(1 for a, b in pairwise(ups) if a != b)
    if switches != 1:
        return None
    boundary = next(i for (i, u) in marks if u != ups[0])
    if ups[0]:  # CAPITALS first -> surnames first
        return boundary, SURNAMES_FIRST
    return boundary, GIVEN_FIRST


def _surnames_first_split(elems: list[_Elem]) -> int | None:
    """``PEREZ GARCIA JUAN``: known surnames then known given names, no comma."""
    if len(elems) < 2:
        return None
    first, last = elems[0], elems[-1]
    if first.initial or not _is_surname(first.core) or _is_given(first.core):
        return None
    if last.initial or last.particles or not _is_given(last.core) or _is_surname(last.core):
        return None
    k = 1
    while k < len(elems) - 1 and not (
        _is_given(elems[k].core) and not _is_surname(elems[k].core) and not elems[k].particles
    ):
        k += 1
    return k


# --- culture -----------------------------------------------------------------------


def _infer_culture(
    text: str, given: list[_Elem], surnames: list[_Elem], conj: set[str]
) -> str | None:
    data = name_data()
    pt = es = 0
    chars = set(text)
    if chars & _PT_CHARS:
        pt += 2
    if chars & _ES_CHARS:
        es += 2
    if "e" in conj:
        pt += 2
    if "y" in conj:
        es += 2
    for e in surnames:
        if e.particles:
            if e.particles[0] in _PT_PARTICLES:
                pt += 2
            elif e.particles[0] == "del" or (e.particles[0] == "de" and len(e.particles) > 1):
                es += 2
        cultures = data.surnames.get(e.core)
        if cultures == frozenset({"pt"}):
            pt += 1
        elif cultures == frozenset({"es"}) or (len(e.core) > 4 and e.core.endswith("ez")):
            es += 1
    for e in given:
        info = data.given.get(e.core)
        if info is None:
            continue
        if info.cultures == frozenset({"pt"}):
            pt += 2
        elif info.cultures == frozenset({"es"}):
            es += 2
    if pt > es:
        return "pt"
    if es > pt:
        return "es"
    return None


def _is_female(given: list[_Elem]) -> bool:
    for e in given:
        if e.initial:
            continue
        info = name_data().given.get(e.core)
        return info is not None and info.sexes == frozenset({"f"})
    return False


# --- assembly ----------------------------------------------------------------------


def _strip_edges(toks: list[_Tok]) -> tuple[list[_Tok], str | None]:
    while len(toks) > 2 and toks[0].text in _TITLES:
        toks = toks[1:]
    suffix = None
    if len(toks) > 2 and toks[-1].text in _SUFFIXES and not toks[-1].initial:
        suffix = toks[-1].text
        toks = toks[:-1]
    return toks, suffix


def _extract_aliases(text: str) -> tuple[str, list[str]]:
    aliases = [m.group(1).strip() for m in _QUOTED_RE.finditer(text)]
    text = _QUOTED_RE.sub(" ", text)
    m = _ALIAS_RE.search(text)
    if m:
        aliases.append(m.group(1).strip(" \"'"))
        text = text[: m.start()]
    return text.strip(), [a for a in aliases if a]


def _split_full(text: str) -> tuple[list[_Elem], list[_Elem], str, set[str], str | None]:
    """Split a full-name string into (given elements, surname elements, order, conj, suffix)."""
    if "," in text:
        left, _, right = text.partition(",")
        right = right.split(",")[0] if right.count(",") else right
        ltoks, lsuffix = _strip_edges(_tokens(left))
        rtoks, rsuffix = _strip_edges(_tokens(right))
        if rtoks and len(rtoks) == 1 and rtoks[0].text in _SUFFIXES:
            rtoks = []
        if ltoks and rtoks:
            surnames, conj = _elements(ltoks)
            given, _ = _elements(rtoks, drop_conj=False)
            return given, surnames, SURNAMES_FIRST, conj, lsuffix or rsuffix
        text = left if ltoks else right
    toks, suffix = _strip_edges(_tokens(text))
    elems, conj = _elements(toks)
    by_case = _case_split(elems)
    if by_case is not None:
        k, order = by_case
        if order == SURNAMES_FIRST:
            return elems[k:], elems[:k], order, conj, suffix
        return elems[:k], elems[k:], order, conj, suffix
    k2 = _surnames_first_split(elems)
    if k2 is not None:
        return elems[k2:], elems[:k2], SURNAMES_FIRST, conj, suffix
    k = _split_given_first(elems)
    return elems[:k], elems[k:], GIVEN_FIRST, conj, suffix


def _fields(text: str | None, *, surnames: bool) -> tuple[list[_Elem], set[str], str | None]:
    if not text:
        return [], set(), None
    toks, suffix = _strip_edges(_tokens(text))
    elems, conj = _elements(toks, drop_conj=surnames)
    return elems, conj, suffix


@lru_cache(maxsize=262144)
def _parse(
    name: str | None, first: str | None, last: str | None, culture: str | None
) -> PersonName:
    name = nfc(name).strip() if name else None
    first = nfc(first).strip() if first else None
    last = nfc(last).strip() if last else None
    aliases: list[str] = []
    given: list[_Elem] = []
    surnames: list[_Elem] = []
    conj: set[str] = set()
    suffix: str | None = None
    order = GIVEN_FIRST
    written = name
    if name:
        name, aliases = _extract_aliases(name)
        given, surnames, order, conj, suffix = _split_full(name)
    if first:
        given, _, fsuffix = _fields(first, surnames=False)
        suffix = suffix or fsuffix
        order = GIVEN_FIRST
    if last:
        surnames, conj, lsuffix = _fields(last, surnames=True)
        suffix = suffix or lsuffix
        order = GIVEN_FIRST
    if name and bool(first) != bool(last):
        # fields win; the missing part is what the full name has beyond the given field
        whole, _ = _elements(_strip_edges(_tokens(name))[0])
        if first:
            taken = {g.core for g in given}
            surnames = [e for e in whole if e.core not in taken and not e.initial]
        else:
            taken = {s.core for s in surnames}
            given = [e for e in whole if e.core not in taken]
    original = written or " ".join(x for x in (first, last) if x)
    text = " ".join(x for x in (name, first, last) if x)

    hint = culture.lower()[:2] if culture else None
    if hint not in ("es", "pt"):
        hint = None
    inferred = hint or _infer_culture(text, given, surnames, conj)

    # widow / married forms: "López vda. de Pérez", "María López de Pérez"
    married: str | None = None
    for i, e in enumerate(surnames):
        if e.core in _WIDOW and i + 1 < len(surnames) and surnames[i + 1].particles == ("de",):
            married = surnames[i + 1].core
            surnames = surnames[:i]
            break
    if (
        married is None
        and inferred != "pt"
        and len(surnames) >= 2
        and surnames[-1].particles == ("de",)
        and _is_female(given)
    ):
        married = surnames[-1].core
        surnames = surnames[:-1]
        if inferred is None:
            inferred = "es"

    blood = tuple(e.text for e in surnames)
    paternal: str | None = None
    maternal: str | None = None
    if blood:
        if inferred == "pt":
            paternal = blood[-1]
            maternal = blood[-2] if len(blood) >= 2 else None
        else:
            paternal = blood[0]
            maternal = blood[1] if len(blood) >= 2 else None
    return PersonName(
        original=original,
        given=tuple(e.core for e in given if not e.initial),
        surnames=blood,
        paternal=paternal,
        maternal=maternal,
        married=married,
        initials=tuple(e.core for e in given if e.initial),
        culture=inferred,
        order=order,
        suffix=suffix,
        aliases=tuple(aliases),
    )


def parse_person_name(
    name: str | None = None,
    *,
    first: str | None = None,
    last: str | None = None,
    culture: str | None = None,
) -> PersonName:
    """Parse a person name from a full string, from first/last fields, or both.

    ``first``/``last`` win over ``name`` when given (``last`` may hold both
    surnames).  ``culture`` ("es" or "pt") is a hint, e.g. from the reporting
    agency's country; otherwise the culture is inferred from Portuguese
    particles and letters (da/dos, ã, ç), Portuguese- or Spanish-only given names
    and surnames, ñ, "y" between surnames and -ez endings — or left ``None``,
    in which case the first surname is taken as the paternal one.  Results are
    cached: the same input is parsed once.
    """
    return _parse(name, first, last, culture)


@lru_cache(maxsize=65536)
def surname_core(surname: str) -> str:
    """The surname without its particles: "de la cruz" -> "cruz", "dos santos" -> "santos"."""
    parts = surname.split()
    while len(parts) > 1 and (parts[0] in _PARTICLES or parts[0] in _ARTICLES):
        parts = parts[1:]
    return " ".join(parts)

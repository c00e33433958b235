"""A phonetic key for Spanish and Portuguese name tokens.

The code is computed on the folded token (:func:`vinculo.identifiers.fold_name`,
so accents, ``ñ`` and ``ç`` are folded to ``n`` and ``c`` first — exactly what an
upper-case ASCII registry does, so ``GONCALVES`` and ``Gonçalves`` agree).  Then,
left to right, each sound is written as one upper-case code letter:

============================  =====  ==========================================
spelling                      code   why
============================  =====  ==========================================
b, v, w                       B      no b/v distinction in Spanish (Vázquez = Bázquez)
c + e/i/y, s, z               S      seseo: Cecilia = Sesilia, Souza = Sousa, Pérez = Peres
c (other), k, q, qu           K      Quintero = Kintero, Carlos = Karlos
g + e/i/y, j                  J      Jiménez = Giménez, Jerónimo = Gerónimo
gu + e/i                      G      Guillermo: the u is silent
ch, sh, x                     X      Chavier = Xavier (Portuguese x, sh)
ll, lh, y + vowel             Y      yeísmo: Castillo = Castiyo; Carvalho = Carvallo
nh (ñ is folded to n)         N      Peña = Penha (folded pena)
h                             —      silent: Hernández = Ernández, Thiago = Tiago
ph                            F
y (not before a vowel)        I      Ruy = Rui
final m                       N      Joaquim = Joaquin
double letters                once   Carrillo = Carilo, Rossi = Rosi
vowels                        kept   they separate many names (Mario/Maria are told
                                     apart by the comparison, not here)
============================  =====  ==========================================

It is a blocking aid: equal codes mean "worth comparing", never "same name".
"""

from __future__ import annotations

from functools import lru_cache

from vinculo.identifiers import fold_name

_FRONT = frozenset("eiy")
_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=131072)
def phonetic(token: str) -> str:
    """Return the Spanish/Portuguese phonetic code of one name token (see module doc)."""
    s = "".join(c for c in fold_name(token) if "a" <= c <= "z")
    out: list[str] = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        nxt = s[i + 1] if i + 1 < n else ""
        step = 1
        code: str
        if c == "c":
            if nxt == "h":
                code, step = "X", 2
            elif nxt in _FRONT and nxt:
                code = "S"
            else:
                code = "K"
        elif c == "s":
            if nxt == "h":
                code, step = "X", 2
            else:
                code = "S"
        elif c == "z":
            code = "S"
        elif c == "x":
            code = "X"
        elif c == "q":
            code, step = ("K", 2) if nxt == "u" else ("K", 1)
        elif c == "k":
            code = "K"
        elif c == "g":
            if nxt and nxt in _FRONT:
                code = "J"
            elif nxt == "u" and i + 2 < n and s[i + 2] in _FRONT:
                code, step = "G", 2
            else:
                code = "G"
        elif c == "j":
            code = "J"
        elif c == "h":
            i += 1
            continue
        elif c in "bvw":
            code = "B"
        elif c == "p":
            code, step = ("F", 2) if nxt == "h" else ("P", 1)
        elif c == "l":
            code, step = ("Y", 2) if nxt in ("l", "h") and nxt else ("L", 1)
        elif c == "n":
            code, step = ("N", 2) if nxt == "h" else ("N", 1)
        elif c == "y":
            code = "Y" if nxt and nxt in _VOWELS else "I"
        elif c == "m":
            code = "N" if i == n - 1 else "M"
        else:
            code = c.upper()
        if not out or out[-1] != code:
            out.append(code)
        i += step
    return "".join(out)

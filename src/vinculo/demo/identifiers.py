"""Identifiers with real check digits: identity numbers, phones, bank accounts, crypto addresses,
ship, container, vehicle and firearm numbers.

The numbers are random but syntactically valid, because a matcher that trusts a valid check digit
must be tested on valid ones, and agencies write the same number in many formats.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import string
import unicodedata
from functools import cache

import phonenumbers
from stdnum import iban as std_iban
from stdnum import imo, iso6346
from stdnum.ar import cbu, cuit
from stdnum.br import cpf
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.es import ccc, dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.mx import curp
from stdnum.pe import cui
from stdnum.pt import nif

DIGITS = string.digits
UPPER = string.ascii_uppercase


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def _letters(rng: random.Random, n: int, alphabet: str = UPPER) -> str:
    return "".join(rng.choices(alphabet, k=n))


@cache
def ascii_upper(text: str) -> str:
    """Upper case without accents; ñ becomes N as in CURPs and codici fiscali."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


# --- national identity numbers -------------------------------------------------------------------
# Each returns (kind, compact value). kind names the stdnum module that validates it, except
# "co.cedula" and "ve.cedula": Colombian and Venezuelan cédulas have no check digit at all.


def _group_thousands(number: str, sep: str = ".") -> str:
    return f"{int(number):,}".replace(",", sep)


def br_cpf(rng: random.Random) -> str:
    base = _digits(rng, 9)
    return base + cpf._calc_check_digits(base)


def cl_rut(rng: random.Random) -> str:
    body = str(rng.randint(8_000_000, 27_000_000))
    return body + rut.calc_check_digit(body)


def es_dni(rng: random.Random) -> str:
    body = _digits(rng, 8)
    return body + dni.calc_check_digit(body)


def es_nie(rng: random.Random) -> str:
    body = rng.choice("XYZ") + _digits(rng, 7)
    return body + nie.calc_check_digit(body)


def pt_nif(rng: random.Random) -> str:
    body = rng.choice("123") + _digits(rng, 7)
    return body + nif.calc_check_digit(body)


def co_cedula(rng: random.Random, birth: dt.date) -> str:
    # Cédulas issued from 2004 have 10 digits starting with 10; older ones 7-8 digits.
    if birth.year >= 1986:
        return "10" + _digits(rng, 8)
    return str(rng.randint(1_000_000, 99_999_999))


def co_nit(cedula: str) -> str:
    return cedula + nit.calc_check_digit(cedula)


def ar_dni(rng: random.Random, birth: dt.date) -> str:
    # DNIs grow with the birth year: about 10 M for 1950, 45 M for 2003.
    base = 10_000_000 + max(0, birth.year - 1950) * 650_000
    return str(min(base + rng.randint(0, 600_000), 99_999_999))


def ar_cuil(dni_number: str, female: bool) -> str:
    body = ("27" if female else "20") + dni_number.zfill(8)
    return body + cuit.calc_check_digit(body)


def pe_cui(rng: random.Random) -> str:
    body = _digits(rng, 8)
    return body + cui.calc_check_digits(body)[0]


def ec_ci(rng: random.Random) -> str:
    body = f"{rng.randint(1, 24):02d}" + str(rng.randint(0, 5)) + _digits(rng, 6)
    total = 0
    for i, n in enumerate(body):
        x = (2, 1)[i % 2] * int(n)
        total += x - 9 if x > 9 else x
    return body + str((10 - total % 10) % 10)


def ve_cedula(rng: random.Random, birth: dt.date) -> str:
    base = 3_000_000 + max(0, birth.year - 1950) * 500_000
    return str(min(base + rng.randint(0, 500_000), 35_000_000))


def nl_bsn(rng: random.Random) -> str:
    while True:
        body = rng.choice("123456") + _digits(rng, 7)
        check = sum(int(n) * (9 - i) for i, n in enumerate(body)) % 11
        if check < 10:
            return body + str(check)


def fr_nir(rng: random.Random, birth: dt.date, female: bool) -> str:
    dept = rng.choice(("75", "13", "69", "59", "33", "31", "06", "76"))
    body = f"{2 if female else 1}{birth.year % 100:02d}{birth.month:02d}{dept}{_digits(rng, 6)}"
    return body + nir.calc_check_digits(body)


_VOWELS = set("AEIOU")
_CURP_STATES = ("DF", "JC", "NL", "SL", "BC", "MC", "VZ", "GR", "CH", "SR", "TS", "PL")


def _letters_only(text: str) -> str:
    return "".join(c for c in ascii_upper(text) if c in UPPER)


def _main_name(names: str, skip: tuple[str, ...]) -> str:
    parts = [p for p in ascii_upper(names).split() if p not in ("DE", "DEL", "LA", "LOS", "Y")]
    if len(parts) > 1 and parts[0] in skip:
        return parts[1]
    return parts[0] if parts else "X"


def mx_curp(
    first: str, paternal: str, maternal: str, birth: dt.date, female: bool, rng: random.Random
) -> str:
    """A CURP built by the official rules from the name, birth date, sex and a state."""
    pat = _letters_only(_main_name(paternal, ()))
    mat = _letters_only(_main_name(maternal, ())) if maternal else "X"
    given = _letters_only(_main_name(first, ("MARIA", "MA", "JOSE", "J")))
    inner_vowel = next((c for c in pat[1:] if c in _VOWELS), "X")
    head = (pat[:1] or "X") + inner_vowel + (mat[:1] or "X") + (given[:1] or "X")
    if head in curp._name_blacklist:
        head = head[0] + "X" + head[2:]

    def inner_consonant(word: str) -> str:
        return next((c for c in word[1:] if c not in _VOWELS), "X")

    body = (
        head
        + birth.strftime("%y%m%d")
        + ("M" if female else "H")
        + rng.choice(_CURP_STATES)
        + inner_consonant(pat)
        + inner_consonant(mat)
        + inner_consonant(given)
        + (str(rng.randint(0, 9)) if birth.year < 2000 else rng.choice(UPPER))
    )
    return body + curp.calc_check_digit(body)


_CF_MONTHS = "ABCDEHLMPRST"
_CF_PLACES = ("H501", "F205", "F839", "L219", "G273", "D969", "A662", "C351")


def it_codice_fiscale(
    first: str, last: str, birth: dt.date, female: bool, rng: random.Random
) -> str:
    def code(word: str, is_name: bool) -> str:
        letters = _letters_only(word)
        cons = [c for c in letters if c not in _VOWELS]
        vow = [c for c in letters if c in _VOWELS]
        if is_name and len(cons) >= 4:
            cons = [cons[0], cons[2], cons[3]]
        return "".join(cons + vow + ["X", "X", "X"])[:3]

    day = birth.day + (40 if female else 0)
    body = (
        code(last, False)
        + code(first, True)
        + f"{birth.year % 100:02d}"
        + _CF_MONTHS[birth.month - 1]
        + f"{day:02d}"
        + rng.choice(_CF_PLACES)
    )
    return body + codicefiscale.calc_check_digit(body)


def format_national_id(kind: str, value: str, rng: random.Random) -> str:
    """Write a compact identity number the way one of many clerks would."""
    style = rng.random()
    if kind == "br.cpf":
        return cpf.format(value) if style < 0.6 else value
    if kind == "cl.rut":
        if style < 0.5:
            return rut.format(value)
        return f"{value[:-1]}-{value[-1]}" if style < 0.85 else value
    if kind in ("es.dni", "es.nie"):
        if style < 0.7:
            return value
        return f"{value[:-1]}-{value[-1]}"
    if kind == "co.cedula":
        return _group_thousands(value) if style < 0.5 else value
    if kind == "co.nit":
        return f"{_group_thousands(value[:-1])}-{value[-1]}" if style < 0.5 else value
    if kind == "ar.dni":
        return _group_thousands(value) if style < 0.6 else value
    if kind == "ar.cuit":
        return cuit.format(value) if style < 0.7 else value
    if kind == "pe.cui":
        return value[:8] if style < 0.5 else f"{value[:8]}-{value[8]}"
    if kind == "ec.ci":
        return value if style < 0.7 else f"{value[:9]}-{value[9]}"
    if kind == "ve.cedula":
        return f"V-{_group_thousands(value)}" if style < 0.5 else f"V{value}"
    if kind == "nl.bsn":
        return value if style < 0.7 else f"{value[:4]}.{value[4:6]}.{value[6:]}"
    if kind == "fr.nir":
        return nir.format(value) if style < 0.5 else value
    if kind == "pt.nif":
        return value if style < 0.6 else f"{value[:3]} {value[3:6]} {value[6:]}"
    return value


# --- passports -----------------------------------------------------------------------------------

_PASSPORT_PATTERNS = {
    "CO": ("AQ", 7),
    "BR": ("F", 7),
    "MX": ("G", 8),
    "AR": ("AA", 7),
    "CL": ("F", 8),
    "PE": ("B", 7),
    "EC": ("A", 7),
    "VE": ("1", 8),
    "ES": ("PA", 7),
    "PT": ("C", 6),
    "FR": ("1", 8),
    "IT": ("YA", 7),
    "NL": ("NW", 7),
    "DE": ("C", 8),
}


def passport_number(rng: random.Random, country: str) -> str:
    prefix, n = _PASSPORT_PATTERNS[country]
    if country in ("FR", "NL", "DE"):
        # Alphanumeric serials; O is never used so it cannot be confused with 0.
        alphabet = "0123456789ABCDEFGHIJKLMNPRSTUVWXYZ"
        return prefix + "".join(rng.choices(alphabet, k=n))
    if country == "ES":
        return prefix + rng.choice("ABCDE") + _digits(rng, n - 1)
    return prefix + _digits(rng, n)


# --- phones --------------------------------------------------------------------------------------


@cache
def _mobile_prefixes(region: str) -> tuple[str, ...]:
    """Prefixes after which any 5 digits make a valid mobile number in ``region``.

    Found once by trial from the library's example number, so the generator never has to
    validate a number per record (which would dominate the run time at a million records).
    """
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None or example.national_number is None or example.country_code is None:
        raise RuntimeError(f"no example mobile number for {region}")
    national = str(example.national_number)
    code = int(example.country_code)
    rng = random.Random(f"phones:{region}")
    keep = len(national) - 5
    found: list[str] = []
    seen: set[str] = set()
    for attempt in range(4000):
        fixed = 2 if attempt else keep
        prefix = national[:fixed] + _digits(rng, keep - fixed)
        if prefix in seen:
            continue
        seen.add(prefix)
        probes = [prefix + _digits(rng, 5) for _ in range(12)] + [
            prefix + "00000",
            prefix + "99999",
        ]
        if all(_is_valid_mobile(code, p) for p in probes):
            found.append(prefix)
            if len(found) >= 40:
                break
    if not found:
        raise RuntimeError(f"no mobile prefix found for {region}")
    return tuple(found)


def _is_valid_mobile(code: int, national: str) -> bool:
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    if national.startswith("0"):
        number.italian_leading_zero = True
    return bool(phonenumbers.is_valid_number(number)) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def mobile_phone(rng: random.Random, country: str) -> str:
    """A valid mobile number in E.164."""
    code = phonenumbers.country_code_for_region(country)
    return f"+{code}{rng.choice(_mobile_prefixes(country))}{_digits(rng, 5)}"


def format_phone(e164: str, national: bool, rng: random.Random) -> str:
    number = phonenumbers.parse(e164)
    if national:
        if rng.random() < 0.5:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.national_significant_number(number)
    if rng.random() < 0.5:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return e164


# --- bank accounts -------------------------------------------------------------------------------

IBAN_COUNTRIES = ("ES", "PT", "FR", "NL", "DE")
_NL_BANKS = ("ABNA", "INGB", "RABO", "TRIO", "SNSB", "KNAB", "BUNQ")


def iban(rng: random.Random, country: str) -> str:
    if country == "ES":
        bank_branch = _digits(rng, 8)
        account = _digits(rng, 10)
        bban = bank_branch + ccc.calc_check_digits(bank_branch + "00" + account) + account
    elif country == "PT":
        body = _digits(rng, 19)
        bban = body + f"{98 - (int(body) * 100) % 97:02d}"
    elif country == "FR":
        bank, branch, account = _digits(rng, 5), _digits(rng, 5), _digits(rng, 11)
        key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
        bban = f"{bank}{branch}{account}{key:02d}"
    elif country == "NL":
        bban = rng.choice(_NL_BANKS) + _digits(rng, 10)
    else:
        bban = _digits(rng, 18)
    return country + std_iban.calc_check_digits(country + "00" + bban) + bban


def format_iban(value: str, spaced: bool) -> str:
    return std_iban.format(value) if spaced else value


def clabe(rng: random.Random) -> str:
    body = _digits(rng, 17)
    total = sum(int(n) * (3, 7, 1)[i % 3] % 10 for i, n in enumerate(body))
    return body + str((10 - total % 10) % 10)


def ar_cbu(rng: random.Random) -> str:
    first = _digits(rng, 7)
    second = _digits(rng, 13)
    return first + cbu.calc_check_digit(first) + second + cbu.calc_check_digit(second)


def lac_account(rng: random.Random, country: str) -> str:
    """A bank account number as written in the country (CLABE and CBU carry check digits)."""
    if country == "MX":
        return clabe(rng)
    if country == "AR":
        return ar_cbu(rng)
    if country == "BR":
        return f"Ag. {_digits(rng, 4)} C/C {_digits(rng, 6)}-{rng.choice(DIGITS)}"
    if country == "CO":
        return f"{_digits(rng, 3)}-{_digits(rng, 6)}-{_digits(rng, 2)}"
    return _digits(rng, rng.choice((10, 12, 14)))


# --- crypto addresses ----------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _bech32_segwit_v0(program: bytes, hrp: str = "bc") -> str:
    acc, bits, data = 0, 0, [0]
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _bech32_polymod([*expanded, *data, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


_KECCAK_RC = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808A,
    0x8000000080008000,
    0x000000000000808B,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008A,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000A,
    0x000000008000808B,
    0x800000000000008B,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800A,
    0x800000008000000A,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
]
_KECCAK_ROT = [
    [0, 36, 3, 41, 18],
    [1, 44, 10, 45, 2],
    [62, 6, 43, 15, 61],
    [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]
_MASK = (1 << 64) - 1


def _rol(x: int, n: int) -> int:
    return ((x << n) | (x >> (64 - n))) & _MASK if n else x


def keccak256(data: bytes) -> bytes:
    """Ethereum's Keccak-256 (original padding, unlike hashlib's SHA3-256)."""
    rate = 136
    if (len(data) + 1) % rate == 0:  # room for one padding byte only: both bits in it
        padded = bytearray(data) + b"\x81"
    else:
        padded = bytearray(data) + b"\x01" + b"\0" * ((-len(data) - 2) % rate) + b"\x80"
    state = [[0] * 5 for _ in range(5)]
    for off in range(0, len(padded), rate):
        block = padded[off : off + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            state[x][y] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        for rc in _KECCAK_RC:
            c = [
                state[x][0] ^ state[x][1] ^ state[x][2] ^ state[x][3] ^ state[x][4]
                for x in range(5)
            ]
            d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
            state = [[state[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    b[y][(2 * x + 3 * y) % 5] = _rol(state[x][y], _KECCAK_ROT[x][y])
            state = [
                [b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]) for y in range(5)]
                for x in range(5)
            ]
            state[0][0] ^= rc
    out = b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def eth_checksum_address(raw: bytes) -> str:
    hexaddr = raw.hex()
    digest = keccak256(hexaddr.encode()).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hexaddr)
    )


def crypto_address(rng: random.Random, chain: str) -> str:
    raw = rng.randbytes(20)
    if chain == "BTC":
        return _base58check(b"\x00" + raw) if rng.random() < 0.5 else _bech32_segwit_v0(raw)
    if chain == "ETH":
        return eth_checksum_address(raw)
    if chain == "TRX":
        return _base58check(b"\x41" + raw)
    raise ValueError(chain)


# --- ships, containers, vehicles, firearms --------------------------------------------------------

MIDS = {
    "PA": ("351", "352", "353", "354", "355", "356", "357", "370", "371", "372"),
    "LR": ("636",),
    "MT": ("215", "229", "248", "249", "256"),
    "CO": ("730",),
    "EC": ("735",),
    "BR": ("710",),
    "ES": ("224", "225"),
    "PT": ("263",),
    "NL": ("244", "245", "246"),
    "MX": ("345",),
    "VE": ("775",),
    "PE": ("760",),
    "CL": ("725",),
    "AR": ("701",),
    "FR": ("226", "227", "228"),
    "IT": ("247",),
    "DE": ("211", "218"),
}


def imo_number(rng: random.Random) -> str:
    body = str(rng.randint(900_000, 999_999))
    return body + imo.calc_check_digit(body)


def mmsi(rng: random.Random, flag: str) -> str:
    return rng.choice(MIDS[flag]) + _digits(rng, 6)


def container_number(rng: random.Random) -> str:
    body = _letters(rng, 3) + "U" + _digits(rng, 6)
    return body + iso6346.calc_check_digit(body)


def format_container(value: str, rng: random.Random) -> str:
    return iso6346.format(value) if rng.random() < 0.4 else value


_CONSONANTS = "BCDFGHJKLMNPRSTVWXYZ"


def plate(rng: random.Random, country: str) -> str:
    d, letters = _digits, _letters
    if country == "ES":
        return f"{d(rng, 4)} {letters(rng, 3, _CONSONANTS)}"
    if country == "BR":
        return f"{letters(rng, 3)}{d(rng, 1)}{letters(rng, 1)}{d(rng, 2)}"
    if country == "AR":
        return f"{letters(rng, 2)} {d(rng, 3)} {letters(rng, 2)}"
    if country == "MX":
        return f"{letters(rng, 3)}-{d(rng, 3)}-{letters(rng, 1)}"
    if country == "NL":
        return f"{d(rng, 2)}-{letters(rng, 3, _CONSONANTS)}-{d(rng, 1)}"
    if country in ("FR", "IT"):
        sep = "-" if country == "FR" else ""
        return f"{letters(rng, 2)}{sep}{d(rng, 3)}{sep}{letters(rng, 2)}"
    if country == "PT":
        return f"{letters(rng, 2)}-{d(rng, 2)}-{letters(rng, 2)}"
    if country == "CL":
        return f"{letters(rng, 4, _CONSONANTS)}{d(rng, 2)}"
    if country in ("PE", "EC"):
        return f"{letters(rng, 3)}-{d(rng, 3 if country == 'PE' else 4)}"
    return f"{letters(rng, 3)}{d(rng, 3)}"  # CO, VE, DE fallback


def firearm_serial(rng: random.Random, make: str) -> str:
    if make == "Glock":
        return _letters(rng, 3) + _digits(rng, 3)
    if make == "Taurus":
        return _letters(rng, 3) + _digits(rng, 5)
    if make == "Beretta":
        return _letters(rng, 2) + _digits(rng, 5) + _letters(rng, 1)
    return _letters(rng, 1) + _digits(rng, 6)

"""Passport numbers and ICAO 9303 machine-readable zones (TD3, passports)."""

from __future__ import annotations

import datetime
import re

from vinculo.identifiers.countries import alpha3_to_alpha2, normalise_country
from vinculo.identifiers.types import Identifier

_TD3_LINE = 44
_WEIGHTS = (7, 3, 1)
_MRZ_CHARS = re.compile(r"^[A-Z0-9<]+$")
_PASSPORT_SEPARATORS = re.compile(r"[\s\-./]")
_PASSPORT_SHAPE = re.compile(r"^[A-Z0-9]{5,9}$")
# Value of each MRZ character in the 7-3-1 check digit: digits as themselves,
# A-Z as 10-35 and the filler '<' as 0.
_CHAR_VALUE: dict[str, int] = {
    **{str(d): d for d in range(10)},
    **{chr(ord("A") + i): 10 + i for i in range(26)},
    "<": 0,
}


def mrz_check_digit(field: str) -> str:
    """ICAO 9303 check digit (weights 7, 3, 1 repeating, modulo 10)."""
    total = 0
    for i, char in enumerate(field):
        total += _CHAR_VALUE[char] * _WEIGHTS[i % 3]
    return str(total % 10)


def _split_td3(mrz: str) -> tuple[str, str]:
    lines = [line.strip().upper() for line in mrz.strip().splitlines() if line.strip()]
    if len(lines) == 1 and len(lines[0]) == 2 * _TD3_LINE:
        lines = [lines[0][:_TD3_LINE], lines[0][_TD3_LINE:]]
    if len(lines) != 2 or any(len(line) != _TD3_LINE for line in lines):
        raise ValueError("mrz: expected TD3 format, 2 lines of 44 characters")
    for line in lines:
        if not _MRZ_CHARS.match(line):
            raise ValueError("mrz: characters outside A-Z, 0-9 and '<'")
    return lines[0], lines[1]


def _names(field: str) -> tuple[str, str]:
    surname, _sep, given = field.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _mrz_date(field_name: str, yymmdd: str, future_allowed: bool) -> str:
    """Expand YYMMDD to ISO; the century is inferred because the MRZ omits it."""
    if not yymmdd.isdigit():
        raise ValueError(f"{field_name}: not a date")
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    today = datetime.date.today()
    # Expiry dates are always this century; a birth "year" later than this
    # year's two digits must be from the 1900s.
    century = 2000 if future_allowed or yy <= today.year % 100 else 1900
    try:
        return datetime.date(century + yy, mm, dd).isoformat()
    except ValueError:
        raise ValueError(f"{field_name}: impossible date {yymmdd}") from None


def _verify(field_name: str, data: str, check: str) -> None:
    # Optional fields filled entirely with '<' may carry '<' as check digit.
    if check == "<" and set(data) == {"<"}:
        return
    if mrz_check_digit(data) != check:
        raise ValueError(f"{field_name}: check digit mismatch")


def parse_mrz(mrz: str) -> dict[str, str]:
    """Parse and verify a passport (TD3) MRZ.

    Accepts the two 44-character lines separated by a newline, or the same
    88 characters on one line.  Every check digit is verified; a failure
    raises ``ValueError`` whose message starts with the field name (e.g.
    ``"birth_date: check digit mismatch"``).  Country fields are returned
    as printed (ICAO alpha-3 such as ``"ESP"``, or ``"D"`` for Germany).
    Dates are ISO with the century inferred.
    """
    line1, line2 = _split_td3(mrz)
    if line1[0] != "P":
        raise ValueError("document_type: TD3 passport MRZ must start with 'P'")
    surname, given_names = _names(line1[5:])
    document_number = line2[0:9]
    birth = line2[13:19]
    expiry = line2[21:27]
    personal = line2[28:42]
    _verify("document_number", document_number, line2[9])
    _verify("birth_date", birth, line2[19])
    _verify("expiry_date", expiry, line2[27])
    _verify("personal_number", personal, line2[42])
    _verify("composite", line2[0:10] + line2[13:20] + line2[21:43], line2[43])
    sex = line2[20]
    if sex not in "MFX<":
        raise ValueError("sex: must be M, F, X or <")
    return {
        "document_type": line1[0:2].replace("<", ""),
        "country": line1[2:5].replace("<", ""),
        "surname": surname,
        "given_names": given_names,
        "document_number": document_number.replace("<", ""),
        "nationality": line2[10:13].replace("<", ""),
        "birth_date": _mrz_date("birth_date", birth, future_allowed=False),
        "sex": "X" if sex == "<" else sex,
        "expiry_date": _mrz_date("expiry_date", expiry, future_allowed=True),
        "personal_number": personal.replace("<", ""),
    }


def _compact_passport(number: str) -> str:
    return _PASSPORT_SEPARATORS.sub("", number).upper()


def normalise_passport(
    number: str, country: str | None = None, mrz: str | None = None
) -> Identifier:
    """Normalise a passport number; verify it against the MRZ when one is given.

    Without an MRZ only the shape is checked (5 to 9 letters/digits, as the
    TD3 document-number field allows).  With an MRZ every ICAO check digit is
    verified and the number must equal the MRZ document number; the reason
    names the failing field.  The issuing country comes from ``country`` or
    else from the MRZ.
    """
    value = _compact_passport(number) or None
    code = normalise_country(country) if country else None
    if mrz is None:
        if value is None:
            return Identifier("passport", number, None, False, country=code, reason="empty")
        if not _PASSPORT_SHAPE.match(value):
            return Identifier(
                "passport",
                number,
                value,
                False,
                country=code,
                reason="unusual length or characters",
            )
        return Identifier("passport", number, value, True, country=code)
    try:
        fields = parse_mrz(mrz)
    except ValueError as exc:
        return Identifier("passport", number, value, False, "icao.mrz", code, str(exc))
    code = code or alpha3_to_alpha2(fields["country"])
    if value != fields["document_number"]:
        return Identifier(
            "passport",
            number,
            value,
            False,
            "icao.mrz",
            code,
            "document_number: does not match the MRZ",
        )
    return Identifier("passport", number, value, True, "icao.mrz", code)

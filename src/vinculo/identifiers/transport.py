"""Ship (IMO, MMSI), shipping container (ISO 6346) and vehicle (VIN) identifiers."""

from __future__ import annotations

import re

from stdnum import imo as std_imo
from stdnum import iso6346

from vinculo.identifiers._stdnum import ValidationError, reason_for
from vinculo.identifiers.types import Identifier

_SEPARATORS = re.compile(r"[\s\-.]")
_IMO_PREFIX = re.compile(r"^\s*IMO[\s:.#-]*", re.I)

# ITU Maritime Identification Digits (ITU-R M.585, RR Appendix 43) for the
# EU and Latin America/Caribbean, plus the major open registries (flags of
# convenience) that show up constantly in maritime cases.  Overseas
# territories map to their own ISO code, except Azores/Madeira (PT).
_MID: dict[str, str] = {
    # EU member states
    "203": "AT", "204": "PT", "205": "BE", "207": "BG", "209": "CY", "210": "CY",
    "211": "DE", "212": "CY", "215": "MT", "218": "DE", "219": "DK", "220": "DK",
    "224": "ES", "225": "ES", "226": "FR", "227": "FR", "228": "FR", "229": "MT",
    "230": "FI", "237": "GR", "238": "HR", "239": "GR", "240": "GR", "241": "GR",
    "243": "HU", "244": "NL", "245": "NL", "246": "NL", "247": "IT", "248": "MT",
    "249": "MT", "250": "IE", "253": "LU", "255": "PT", "256": "MT", "261": "PL",
    "263": "PT", "264": "RO", "265": "SE", "266": "SE", "267": "SK", "270": "CZ",
    "275": "LV", "276": "EE", "277": "LT", "278": "SI",
    # Other European flags often met
    "232": "GB", "233": "GB", "234": "GB", "235": "GB", "236": "GI", "257": "NO",
    "258": "NO", "259": "NO", "269": "CH", "271": "TR", "272": "UA", "273": "RU",
    # North and Central America, Caribbean
    "304": "AG", "305": "AG", "306": "CW", "307": "AW", "308": "BS", "309": "BS",
    "311": "BS", "312": "BZ", "314": "BB", "316": "CA", "321": "CR", "323": "CU",
    "325": "DM", "327": "DO", "329": "GP", "330": "GD", "332": "GT", "334": "HN",
    "336": "HT", "338": "US", "339": "JM", "341": "KN", "343": "LC", "345": "MX",
    "347": "MQ", "350": "NI", "351": "PA", "352": "PA", "353": "PA", "354": "PA",
    "355": "PA", "356": "PA", "357": "PA", "359": "SV", "362": "TT", "366": "US",
    "367": "US", "368": "US", "369": "US", "370": "PA", "371": "PA", "372": "PA",
    "373": "PA", "374": "PA", "375": "VC", "376": "VC", "377": "VC",
    # South America
    "701": "AR", "710": "BR", "720": "BO", "725": "CL", "730": "CO", "735": "EC",
    "745": "GF", "750": "GY", "755": "PY", "760": "PE", "765": "SR", "770": "UY",
    "775": "VE",
    # Open registries
    "477": "HK", "412": "CN", "413": "CN", "414": "CN", "538": "MH", "636": "LR",
    "637": "LR", "563": "SG", "564": "SG", "565": "SG", "566": "SG",
}  # fmt: skip


def normalise_imo(value: str) -> Identifier:
    """IMO ship number: 7 digits, the last a weighted check digit; value ``IMO1234567``."""
    digits = _SEPARATORS.sub("", _IMO_PREFIX.sub("", value))
    if not digits:
        return Identifier("imo", value, None, False, reason="empty")
    if not digits.isdigit():
        return Identifier("imo", value, None, False, reason="invalid format")
    if len(digits) != 7:
        reason = "too short" if len(digits) < 7 else "too long"
        return Identifier("imo", value, None, False, reason=reason)
    canonical = "IMO" + digits
    try:
        std_imo.validate(digits)
    except ValidationError as exc:
        return Identifier("imo", value, canonical, False, reason=reason_for(exc))
    return Identifier("imo", value, canonical, True)


def _mid(mmsi: str) -> str | None:
    """The MID inside an MMSI; its position depends on the kind of station."""
    if mmsi[0] in "234567":
        return mmsi[:3]  # ship station
    if mmsi.startswith("00"):
        return mmsi[2:5]  # coast station
    if mmsi.startswith("0"):
        return mmsi[1:4]  # group of ships
    if mmsi.startswith("111"):
        return mmsi[3:6]  # SAR aircraft
    if mmsi.startswith(("98", "99")):
        return mmsi[2:5]  # craft associated with a ship, aids to navigation
    if mmsi.startswith("8"):
        return mmsi[1:4]  # handheld VHF
    return None  # 970/972/974 distress devices carry no nationality


def normalise_mmsi(value: str) -> Identifier:
    """Maritime Mobile Service Identity: 9 digits; country from its MID.

    Valid means well-formed: an MMSI has no check digit, and a MID missing
    from our table only leaves ``country`` empty.
    """
    digits = _SEPARATORS.sub("", value.strip())
    if digits[:4].upper() == "MMSI":
        digits = digits[4:].lstrip(":#")
    if not digits:
        return Identifier("mmsi", value, None, False, reason="empty")
    if not digits.isdigit():
        return Identifier("mmsi", value, None, False, reason="invalid format")
    if len(digits) != 9:
        reason = "too short" if len(digits) < 9 else "too long"
        return Identifier("mmsi", value, digits, False, reason=reason)
    mid = _mid(digits)
    country = _MID.get(mid) if mid else None
    return Identifier("mmsi", value, digits, True, country=country)


def normalise_container(value: str) -> Identifier:
    """ISO 6346 freight container number, e.g. ``CSQU3054383``."""
    compact = _SEPARATORS.sub("", iso6346.compact(value))
    if not compact:
        return Identifier("container", value, None, False, reason="empty")
    try:
        iso6346.validate(compact)
    except ValidationError as exc:
        return Identifier("container", value, compact, False, reason=reason_for(exc))
    if compact[3] not in "UJZ":
        # stdnum also admits 'R' (reefer, 2016 draft); the standard's equipment
        # categories for containers are U, J and Z.
        return Identifier("container", value, compact, False, reason="invalid equipment category")
    if not compact[:3].isalpha():
        return Identifier("container", value, compact, False, reason="invalid owner code")
    return Identifier("container", value, compact, True)


_VIN_CHARS = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_FORBIDDEN = re.compile(r"[IOQ]")
# ISO 3779 transliteration for the North-American check digit (49 CFR 565).
_VIN_VALUES: dict[str, int] = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# World manufacturer identifiers starting 1-5 are the United States, Canada
# and Mexico, where the check digit is mandatory.
_NORTH_AMERICA = frozenset("12345")


def vin_check_digit(vin: str) -> str:
    """Position-9 check digit of a 17-character VIN ('X' stands for 10)."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_vin(value: str) -> Identifier:
    """Vehicle Identification Number (ISO 3779), 17 characters without I, O, Q.

    The check digit is verified for North-American VINs only; elsewhere it
    is optional, so a well-formed VIN is valid with ``reason=None``.
    """
    compact = _SEPARATORS.sub("", value).upper()
    if not compact:
        return Identifier("vin", value, None, False, reason="empty")
    if len(compact) != 17:
        reason = "too short" if len(compact) < 17 else "too long"
        return Identifier("vin", value, compact, False, reason=reason)
    if not _VIN_CHARS.match(compact):
        reason = "contains I, O or Q" if _VIN_FORBIDDEN.search(compact) else "invalid format"
        return Identifier("vin", value, compact, False, reason=reason)
    if compact[0] in _NORTH_AMERICA and vin_check_digit(compact) != compact[8]:
        return Identifier("vin", value, compact, False, reason="check digit mismatch")
    return Identifier("vin", value, compact, True)

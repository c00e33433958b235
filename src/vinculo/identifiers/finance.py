"""Bank account (IBAN), bank (BIC) and cryptocurrency address identifiers."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.bitcoin import b58decode, bech32_checksum

from vinculo.identifiers._stdnum import ValidationError, reason_for
from vinculo.identifiers.keccak import keccak256
from vinculo.identifiers.types import Identifier

_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$")
_BIC_SHAPE = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")


def normalise_iban(value: str) -> Identifier:
    """IBAN in compact upper-case form, checked with ISO 7064 mod 97-10 and the
    country's BBAN structure."""
    return _normalise_iban(value)


@lru_cache(maxsize=65536)
def _normalise_iban(value: str) -> Identifier:
    # Cached: stdnum's BBAN registry lookup costs ~30 µs and transaction
    # records repeat the same accounts many times.
    compact = std_iban.compact(value)
    if compact.startswith("IBAN"):  # printed as "IBAN DE89 ..." on statements
        compact = compact[4:]
    if not compact:
        return Identifier("iban", value, None, False, reason="empty")
    country = compact[:2] if compact[:2].isalpha() else None
    if not _IBAN_SHAPE.match(compact):
        return Identifier("iban", value, compact, False, country=country, reason="invalid format")
    try:
        std_iban.validate(compact)
    except ValidationError as exc:
        return Identifier("iban", value, compact, False, country=country, reason=reason_for(exc))
    return Identifier("iban", value, compact, True, country=country)


def normalise_bic(value: str) -> Identifier:
    """BIC/SWIFT code (ISO 9362), 8 or 11 characters, upper case."""
    compact = std_bic.compact(value)
    if not compact:
        return Identifier("bic", value, None, False, reason="empty")
    country = compact[4:6] if len(compact) >= 6 and compact[4:6].isalpha() else None
    try:
        std_bic.validate(compact)
    except ValidationError as exc:
        return Identifier("bic", value, compact, False, country=country, reason=reason_for(exc))
    if not _BIC_SHAPE.match(compact):
        return Identifier("bic", value, compact, False, country=country, reason="invalid format")
    return Identifier("bic", value, compact, True, country=country)


# --- cryptocurrency addresses -------------------------------------------------

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_RE = re.compile(r"^[1-9A-HJ-NP-Za-km-z]+$")
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_VALUES = {c: i for i, c in enumerate(_BECH32)}
_BECH32_CONST = 1  # BIP-173, witness version 0
_BECH32M_CONST = 0x2BC830A3  # BIP-350, witness versions 1 to 16
_ETH_RE = re.compile(r"^0[xX]([0-9a-fA-F]{40})$")
_HEX_DIGITS = frozenset("0123456789")

# Version bytes of mainnet base58check addresses.
_BTC_P2PKH = 0x00
_BTC_P2SH = 0x05
_TRON = 0x41


def _base58check(address: str) -> bytes | None:
    """Payload (version byte + hash) if the 4-byte double-SHA256 checksum holds."""
    raw = b58decode(address)
    if len(raw) != 25:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: list[int]) -> bytes | None:
    """Regroup 5-bit values into bytes; None if the padding is not zero."""
    acc = bits = 0
    out = bytearray()
    for value in data:
        acc = (acc << 5) | value
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc & ((1 << bits) - 1)):
        return None
    return bytes(out)


def segwit_address_error(address: str) -> str | None:
    """Why a ``bc1`` address is invalid (BIP-173/BIP-350), or None if valid."""
    if address != address.lower() and address != address.upper():
        return "mixed case"
    address = address.lower()
    if len(address) > 90:
        return "too long"
    hrp, sep, data_part = address.rpartition("1")
    if not sep or hrp != "bc":
        return "unknown prefix"
    if len(data_part) < 7:
        return "too short"
    try:
        data = [_BECH32_VALUES[c] for c in data_part]
    except KeyError:
        return "invalid character"
    version = data[0]
    polymod = bech32_checksum(_hrp_expand(hrp) + data)
    # Version 0 uses bech32, later versions bech32m; using the wrong one is
    # exactly the mistake BIP-350 was written to catch.
    if polymod != (_BECH32_CONST if version == 0 else _BECH32M_CONST):
        return "checksum mismatch"
    if version > 16:
        return "invalid witness version"
    program = _convert_bits(data[1:-6])
    if program is None or not 2 <= len(program) <= 40:
        return "invalid witness program"
    if version == 0 and len(program) not in (20, 32):
        return "invalid witness program"
    return None


def eip55_checksum(address_hex: str) -> str:
    """EIP-55 mixed-case form of a 40-digit hex address (no ``0x``)."""
    lower = address_hex.lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "".join(
        c if c in _HEX_DIGITS or int(h, 16) < 8 else c.upper()
        for c, h in zip(lower, digest, strict=False)
    )


def _crypto(value: str, canonical: str | None, valid: bool, scheme: str | None,
            reason: str | None = None) -> Identifier:  # fmt: skip
    return Identifier("crypto", value, canonical, valid, scheme, None, reason)


def normalise_crypto(value: str) -> Identifier:
    """Bitcoin (base58check and bech32/bech32m), Ethereum and TRON addresses.

    Canonical values: bech32 lower case; Ethereum ``0x`` plus lower-case hex
    (case only carries the EIP-55 checksum, which is verified when the input
    is mixed case); base58 addresses unchanged since base58 is case-sensitive.
    """
    text = value.strip()
    if not text:
        return _crypto(value, None, False, None, "empty")
    eth = _ETH_RE.match(text)
    if eth:
        digits = eth.group(1)
        canonical = "0x" + digits.lower()
        if digits in (digits.lower(), digits.upper()):
            return _crypto(value, canonical, True, "eth")
        if eip55_checksum(digits) != digits:
            return _crypto(value, canonical, False, "eth", "checksum mismatch")
        return _crypto(value, canonical, True, "eth")
    if text[:3].lower() == "bc1":
        error = segwit_address_error(text)
        return _crypto(value, text.lower(), error is None, "btc", error)
    if _BASE58_RE.match(text):
        first = text[0]
        if first in "13" and 25 <= len(text) <= 35:
            payload = _base58check(text)
            if payload is None:
                return _crypto(value, text, False, "btc", "checksum mismatch")
            if payload[0] not in (_BTC_P2PKH, _BTC_P2SH):
                return _crypto(value, text, False, "btc", "unknown version byte")
            return _crypto(value, text, True, "btc")
        if first == "T" and len(text) == 34:
            payload = _base58check(text)
            if payload is None:
                return _crypto(value, text, False, "tron", "checksum mismatch")
            if payload[0] != _TRON:
                return _crypto(value, text, False, "tron", "unknown version byte")
            return _crypto(value, text, True, "tron")
    return _crypto(value, None, False, None, "unknown format")

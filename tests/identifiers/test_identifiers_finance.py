from __future__ import annotations

import pytest

from vinculo.identifiers import normalise_bic, normalise_crypto, normalise_iban
from vinculo.identifiers.keccak import keccak256

# --- IBAN / BIC --------------------------------------------------------------


def test_iban_published_example() -> None:
    # The ISO 13616 / ECBS example IBAN.
    result = normalise_iban("GB82 WEST 1234 5698 7654 32")
    assert (result.value, result.valid, result.country) == ("GB82WEST12345698765432", True, "GB")


def test_iban_compact_and_printed_forms_equal() -> None:
    assert (
        normalise_iban("IBAN DE89 3704 0044 0532 0130 00").value
        == normalise_iban("de89370400440532013000").value
        == "DE89370400440532013000"
    )


def test_iban_bad_check_digits() -> None:
    result = normalise_iban("GB83 WEST 1234 5698 7654 32")
    assert result.valid is False
    assert result.reason == "check digit mismatch"
    assert result.value == "GB83WEST12345698765432"


def test_iban_garbage() -> None:
    assert normalise_iban("not an iban").valid is False


@pytest.mark.parametrize(
    ("raw", "value"), [("DEUTDEFF", "DEUTDEFF"), ("deut de ff 500", "DEUTDEFF500")]
)
def test_bic_valid(raw: str, value: str) -> None:
    result = normalise_bic(raw)
    assert (result.valid, result.value, result.country) == (True, value, "DE")


def test_bic_country_must_be_letters() -> None:
    assert normalise_bic("DEUT12FF").valid is False


def test_bic_wrong_length() -> None:
    assert normalise_bic("DEUTDEF").valid is False


# --- Keccak / Ethereum -------------------------------------------------------


def test_keccak256_known_vectors() -> None:
    # Keccak-256 (not SHA3-256) of "" and "abc", as used by Ethereum.
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )


def test_keccak256_multi_block() -> None:
    # 200 bytes spans two 136-byte blocks; the digest must differ from one block's.
    assert keccak256(b"a" * 200) != keccak256(b"a" * 136)
    assert len(keccak256(b"a" * 200)) == 32


EIP55_VECTORS = [
    # From the EIP-55 specification.
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_VECTORS)
def test_eip55_vectors_valid(address: str) -> None:
    result = normalise_crypto(address)
    assert (result.valid, result.scheme) == (True, "eth")
    assert result.value == address.lower()


@pytest.mark.parametrize("address", EIP55_VECTORS)
def test_eip55_flipped_case_is_invalid(address: str) -> None:
    # Flip the case of the last letter: checksum must fail.
    idx = max(i for i, c in enumerate(address) if c.isalpha() and i > 1)
    flipped = address[:idx] + address[idx].swapcase() + address[idx + 1 :]
    result = normalise_crypto(flipped)
    assert (result.valid, result.reason) == (False, "checksum mismatch")
    assert result.value == address.lower()


@pytest.mark.parametrize(
    "address",
    ["0x52908400098527886e0f7030069857d2e4169ee7", "0X52908400098527886E0F7030069857D2E4169EE7"],
)
def test_eth_single_case_accepted_without_checksum(address: str) -> None:
    result = normalise_crypto(address)
    assert result.valid is True
    assert result.value == "0x52908400098527886e0f7030069857d2e4169ee7"


# --- Bitcoin / TRON ----------------------------------------------------------


def test_btc_p2pkh_genesis_address() -> None:
    result = normalise_crypto("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert (result.valid, result.scheme) == (True, "btc")


def test_btc_p2pkh_bad_checksum() -> None:
    result = normalise_crypto("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")
    assert (result.valid, result.reason) == (False, "checksum mismatch")


@pytest.mark.parametrize(
    "address",
    [
        # BIP-173 / BIP-350 valid mainnet vectors (v0 bech32, v1 bech32m).
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    ],
)
def test_bech32_valid(address: str) -> None:
    result = normalise_crypto(address)
    assert result.valid, result
    assert result.value == address.lower()


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        # One character changed: bech32 detects any single substitution.
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "checksum mismatch"),
        # BIP-350 invalid vector: v1 program with a bech32 (not bech32m) checksum.
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "checksum mismatch"),
        # Mixed case is forbidden by BIP-173.
        ("bc1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "mixed case"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb", "invalid character"),
    ],
)
def test_bech32_invalid(address: str, reason: str) -> None:
    result = normalise_crypto(address)
    assert (result.valid, result.reason) == (False, reason)


def test_tron_address() -> None:
    # Publicly documented TRON token contract address (USDT-TRC20).
    assert normalise_crypto("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").scheme == "tron"
    assert normalise_crypto("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").valid is True
    assert normalise_crypto("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u").valid is False


def test_crypto_unknown() -> None:
    result = normalise_crypto("hello world")
    assert (result.valid, result.value, result.reason) == (False, None, "unknown format")

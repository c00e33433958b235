"""Attachment safety without a database: sniffing, file names, limits, headers."""

from __future__ import annotations

import pytest

from vinculo.messages import Invalid, TooLarge, Upload
from vinculo.messages.attachments import (
    DEFAULT_MAX_BYTES,
    content_disposition,
    max_bytes,
    may_show_inline,
    prepare,
    sanitise_filename,
    sniff,
)

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Informe: el sospechoso viajó a Lisboa.\n".encode(), "text/plain"),
        (b"<html><script>alert(1)</script></html>", "text/plain"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "text/plain"),
        (GIF, "image/gif"),
        (ELF, "application/x-executable"),
        (b"MZ\x90\x00" + b"\x00" * 60, "application/x-msdownload"),
        (b"plain text with a NUL\x00 byte", "application/octet-stream"),
        (b"\xff\xfe\xfa not utf-8", "application/octet-stream"),
    ],
)
def test_type_is_sniffed_from_the_content(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\informe.docx", "informe.docx"),
        ("photo\u202egnp.exe", "photognp.exe"),  # no right-to-left override
        ("bad\x00name\r\n.txt", "badname.txt"),
        ('what?<is>:"this"|*.txt', "what__is___this___.txt"),
        ("...", "attachment"),
        (None, "attachment"),
        ("  ", "attachment"),
    ],
)
def test_file_names_are_sanitised(given: str | None, expected: str) -> None:
    assert sanitise_filename(given) == expected


def test_long_file_names_keep_their_extension() -> None:
    name = sanitise_filename("a" * 400 + ".pdf")
    assert len(name) == 255 and name.endswith("a.pdf")
    assert len(sanitise_filename("b" * 400)) == 255


def test_size_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VINCULO_ATTACHMENT_MAX_BYTES", raising=False)
    assert max_bytes() == DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    monkeypatch.setenv("VINCULO_ATTACHMENT_MAX_BYTES", "10")
    assert max_bytes() == 10
    assert prepare([Upload("a.txt", b"0123456789")], "message.send")[0].size == 10
    with pytest.raises(TooLarge, match="larger than the limit of 10 bytes"):
        prepare([Upload("a.txt", b"0123456789!")], "message.send")
    for bad in ("0", "-5", "lots"):
        monkeypatch.setenv("VINCULO_ATTACHMENT_MAX_BYTES", bad)
        with pytest.raises(ValueError, match="VINCULO_ATTACHMENT_MAX_BYTES"):
            max_bytes()


def test_empty_or_too_many_files_are_refused() -> None:
    with pytest.raises(Invalid, match="empty"):
        prepare([Upload("a.txt", b"")], "message.send")
    with pytest.raises(Invalid, match="at most 10"):
        prepare([Upload(f"{i}.txt", b"x") for i in range(11)], "message.send")


def test_only_raster_images_may_be_inline_and_only_when_asked() -> None:
    for mime in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        assert may_show_inline(mime, True) and not may_show_inline(mime, False)
    for mime in (
        "text/html",
        "image/svg+xml",
        "text/plain",
        "application/pdf",
        "application/x-msdownload",
        "application/javascript",
    ):
        assert not may_show_inline(mime, True), mime


def test_content_disposition_carries_the_exact_name_safely() -> None:
    header = content_disposition('informe "final" ção.pdf', inline=False)
    assert header.startswith('attachment; filename="informe _final_ cao.pdf"; ')
    assert header.endswith("filename*=UTF-8''informe%20%22final%22%20%C3%A7%C3%A3o.pdf")

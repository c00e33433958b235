"""Attachments: content-addressed, size-limited, typed by their content, served safely.

- Stored once per SHA-256 (``attachment_blob``), however many messages carry the same file.
- At most ``VINCULO_ATTACHMENT_MAX_BYTES`` bytes each (20 MiB unless configured).
- The type is sniffed from the bytes with ``filetype``; the sender's claim (file name extension,
  declared Content-Type) is never believed. Text that is valid UTF-8 without control bytes is
  ``text/plain``; anything else unrecognised is ``application/octet-stream``.
- Served as a download (``Content-Disposition: attachment``) with ``nosniff``. Only raster images
  (PNG, JPEG, GIF, WebP) may be shown inline, and only when asked for: they cannot run code. PDF is
  deliberately not on that list (PDF can carry JavaScript, forms and launch actions, and browsers'
  viewers differ), nor is anything a browser could execute or render as a page (HTML, SVG, XML,
  scripts). Executables are stored — an agency may have to send malware as evidence — and flagged,
  but never served inline.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import filetype  # type: ignore[import-untyped]
from sqlalchemy import Connection, insert, select

from vinculo.messages._sql import insert_ignoring_duplicates
from vinculo.messages.errors import Invalid, TooLarge
from vinculo.store.tables import Attachment, AttachmentBlob, utcnow

MAX_BYTES_ENV = "VINCULO_ATTACHMENT_MAX_BYTES"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Attachments one message may carry.
MAX_PER_MESSAGE = 10
MAX_FILENAME = 255

TEXT_PLAIN = "text/plain"
OCTET_STREAM = "application/octet-stream"
#: Types a browser may display inline: raster images, which cannot carry script.
INLINE_SAFE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
#: Types that are programs: stored and served as downloads, marked so that clients can warn.
EXECUTABLE = frozenset(
    {
        "application/x-msdownload",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-mach-binary",
        "application/x-dosexec",
        "application/vnd.microsoft.portable-executable",
        "application/wasm",
        "application/x-shockwave-flash",
        "application/x-google-chrome-extension",
        "application/x-deb",
        "application/x-rpm",
        "application/vnd.ms-cab-compressed",
    }
)
#: Bytes that do not occur in text: C0 controls other than tab, line feed, form feed and carriage
#: return, and DEL.
_BINARY_BYTES = frozenset(set(range(0x00, 0x20)) - {0x09, 0x0A, 0x0C, 0x0D}) | {0x7F}
_UNSAFE_FILENAME_CHARS = re.compile(r'[<>:"|?*]')


def max_bytes() -> int:
    """The size limit per attachment, read from the environment each time (no restart needed)."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{MAX_BYTES_ENV}={raw!r}: give a positive number of bytes")
    return value


def sniff(data: bytes) -> str:
    """The MIME type of ``data``, judged from the content alone."""
    kind = filetype.guess(data)
    if kind is not None:
        return str(kind.mime)
    if _BINARY_BYTES.isdisjoint(data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return OCTET_STREAM
        return TEXT_PLAIN
    return OCTET_STREAM


def sanitise_filename(name: str | None) -> str:
    """A file name safe to store and to put in a header: no directories, no control or
    direction-changing characters, no characters Windows refuses, at most 255 characters (the
    extension kept)."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: control characters; Cf: format characters such as U+202E RIGHT-TO-LEFT OVERRIDE, which
    # makes "photo_gnp.exe" display as "photo_exe.png".
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf"})
    text = _UNSAFE_FILENAME_CHARS.sub("_", text).strip().strip(".").strip()
    if not text:
        return "attachment"
    if len(text) > MAX_FILENAME:
        stem, dot, ext = text.rpartition(".")
        if dot and stem and 0 < len(ext) <= 16:
            text = stem[: MAX_FILENAME - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:MAX_FILENAME]
    return text


def is_executable(mime: str) -> bool:
    return mime in EXECUTABLE


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as received: the name the sender gave and the bytes (possibly cut at the limit
    plus one, which is enough to know it is too large)."""

    filename: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class Prepared:
    filename: str
    data: bytes
    sha256: str
    size: int
    mime: str


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: int
    filename: str
    mime: str
    size: int
    sha256: str
    executable: bool
    #: Whether a browser may be asked to show it inline (``?inline=true`` on download).
    inline_allowed: bool


def prepare(uploads: list[Upload], action: str) -> list[Prepared]:
    """Check and type the files of one message before anything is written."""
    if len(uploads) > MAX_PER_MESSAGE:
        raise Invalid(
            f"at most {MAX_PER_MESSAGE} attachments per message ({len(uploads)} given)",
            action=action,
        )
    limit = max_bytes()
    prepared: list[Prepared] = []
    for upload in uploads:
        filename = sanitise_filename(upload.filename)
        if len(upload.data) > limit:
            raise TooLarge(
                f"attachment {filename!r} is larger than the limit of {limit} bytes; "
                "nothing was sent",
                action=action,
                reason=f"attachment over {limit} bytes",
            )
        if not upload.data:
            raise Invalid(f"attachment {filename!r} is empty", action=action)
        prepared.append(
            Prepared(
                filename=filename,
                data=upload.data,
                sha256=hashlib.sha256(upload.data).hexdigest(),
                size=len(upload.data),
                mime=sniff(upload.data),
            )
        )
    return prepared


def store(conn: Connection, message_id: str, files: list[Prepared]) -> list[AttachmentInfo]:
    """Write the blobs not stored yet and link every file to the message."""
    insert_ignoring_duplicates(
        conn,
        AttachmentBlob,
        [
            {"sha256": f.sha256, "size": f.size, "data": f.data, "created_at": utcnow()}
            for f in {f.sha256: f for f in files}.values()
        ],
    )
    out: list[AttachmentInfo] = []
    for f in files:
        result = conn.execute(
            insert(Attachment).values(
                message_id=message_id, sha256=f.sha256, filename=f.filename, mime=f.mime,
                size=f.size,
            )
        )  # fmt: skip
        attachment_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        out.append(_info(attachment_id, f.filename, f.mime, f.size, f.sha256))
    return out


def _info(attachment_id: int, filename: str, mime: str, size: int, sha256: str) -> AttachmentInfo:
    return AttachmentInfo(
        id=attachment_id,
        filename=filename,
        mime=mime,
        size=size,
        sha256=sha256,
        executable=is_executable(mime),
        inline_allowed=mime in INLINE_SAFE,
    )


def for_messages(conn: Connection, message_ids: list[str]) -> dict[str, list[AttachmentInfo]]:
    out: dict[str, list[AttachmentInfo]] = {m: [] for m in message_ids}
    if not message_ids:
        return out
    rows = conn.execute(
        select(Attachment).where(Attachment.message_id.in_(message_ids)).order_by(Attachment.id)
    )
    for r in rows:
        out[r.message_id].append(_info(r.id, r.filename, r.mime, r.size, r.sha256))
    return out


@dataclass(frozen=True, slots=True)
class Download:
    info: AttachmentInfo
    data: bytes
    message_id: str
    thread_id: str
    inline: bool

    @property
    def content_type(self) -> str:
        if self.info.mime == TEXT_PLAIN:
            return "text/plain; charset=utf-8"
        return self.info.mime

    @property
    def content_disposition(self) -> str:
        return content_disposition(self.info.filename, self.inline)


def content_disposition(filename: str, inline: bool) -> str:
    """RFC 6266: an ASCII fallback name and the exact name in RFC 5987 encoding."""
    fallback = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        or "attachment"
    )
    fallback = fallback.replace('"', "_").replace("\\", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def may_show_inline(mime: str, requested: bool) -> bool:
    return requested and mime in INLINE_SAFE

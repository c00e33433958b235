"""Readers turning agency files into rows, each with the line it came from.

A reader never stops at a bad row: it hands the row on with what is wrong with it, so that the
pipeline can store the good rows and quarantine the bad ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

SAMPLE_BYTES = 1 << 20
DELIMITERS = ",;\t|"


class ReadError(Exception):
    """The file as a whole cannot be read (not a row problem)."""


@dataclass(slots=True)
class Row:
    line: int
    values: dict[str, str]
    #: Row-level problems found while reading (bad bytes, wrong field count, bad JSON).
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    #: Undecoded text of the row, kept for the quarantine when it could not be split.
    raw: str | None = None


@dataclass(slots=True)
class SourceInfo:
    path: Path
    file_format: str
    sha256: str
    encoding: str | None = None
    delimiter: str | None = None
    headers: list[str] = field(default_factory=list)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".jsonl", ".ftm.json", ".ndjson", ".ijson")) or name.endswith(".json"):
        return "ftm"
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """UTF-8 unless most non-ASCII lines fail to decode as UTF-8; then Windows-1252 or Latin-1.

    Judging line by line matters: a UTF-8 file with one line of stray Latin-1 bytes must stay
    UTF-8 (that line is reported), not be decoded wholesale as Windows-1252 and garble every name.
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    lines = sample.split(b"\n")
    if len(sample) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle of a character
    non_ascii = failing = 0
    for line in lines:
        if line.isascii():
            continue
        non_ascii += 1
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            failing += 1
    if non_ascii == 0 or failing * 2 < non_ascii:
        return "utf-8"
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(text_sample: str) -> str:
    head = "\n".join(text_sample.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = head.splitlines()[0] if head else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


class CsvReader:
    def __init__(self, path: Path, encoding: str | None = None, delimiter: str | None = None):
        self.path = path
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
        self.encoding = encoding or detect_encoding(sample)
        self.delimiter = delimiter or detect_delimiter(
            sample.decode(self.encoding, errors="replace")
        )
        self._bad_lines: dict[int, str] = {}

    def _decoded_lines(self, fh: IO[bytes]) -> Iterator[str]:
        codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode(codec)
            except UnicodeDecodeError as exc:
                self._bad_lines[number] = (
                    f"bytes not valid {codec.upper()} (byte 0x{raw[exc.start]:02X} at "
                    f"position {exc.start + 1})"
                )
                yield raw.decode(codec, errors="replace")

    def rows(self) -> Iterator[Row]:
        with self.path.open("rb") as fh:
            reader = csv.reader(self._decoded_lines(fh), delimiter=self.delimiter)
            try:
                header = next(reader)
            except StopIteration:
                return
            self.headers = [h.strip() for h in header]
            if len(set(self.headers)) != len(self.headers):
                dupes = sorted({h for h in self.headers if self.headers.count(h) > 1})
                raise ReadError(f"{self.path.name}: duplicate column names {dupes}")
            width = len(self.headers)
            previous_end = reader.line_num
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    start = previous_end + 1
                    previous_end = reader.line_num
                    yield Row(start, {}, [(None, f"unreadable CSV: {exc}")], raw="")
                    continue
                start, previous_end = previous_end + 1, reader.line_num
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                row = Row(start, dict(zip(self.headers, cells, strict=False)))
                for number in range(start, previous_end + 1):
                    reason = self._bad_lines.pop(number, None)
                    if reason:
                        row.errors.append((None, f"line {number}: {reason}"))
                if len(cells) != width:
                    row.errors.append((None, f"expected {width} fields, found {len(cells)}"))
                    row.raw = self.delimiter.join(cells)
                yield row


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class XlsxReader:
    def __init__(self, path: Path, sheet: str | None = None):
        self.path = path
        self.sheet = sheet
        self.headers: list[str] = []

    def rows(self) -> Iterator[Row]:
        import openpyxl

        try:
            # data_only=False: a formula cell yields its formula text, which the pipeline rejects
            # (the cached result may be stale or missing), rather than a silent empty cell.
            book = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
        except Exception as exc:
            raise ReadError(f"{self.path.name}: not a readable XLSX workbook ({exc})") from exc
        try:
            sheet = book[self.sheet] if self.sheet else book.worksheets[0]
            values = sheet.iter_rows(values_only=True)
            try:
                header = next(values)
            except StopIteration:
                return
            self.headers = [_cell_text(h).strip() for h in header]
            while self.headers and not self.headers[-1]:
                self.headers.pop()
            for number, cells in enumerate(values, start=2):
                texts = [_cell_text(c) for c in cells[: len(self.headers)]]
                if not any(t.strip() for t in texts):
                    continue
                yield Row(number, dict(zip(self.headers, texts, strict=False)))
        finally:
            book.close()


class FtmReader:
    """FollowTheMoney JSON lines; each row's values hold the parsed object under ``_json``."""

    def __init__(self, path: Path):
        self.path = path
        self.headers: list[str] = []

    def rows(self) -> Iterator[Row]:
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    data = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    text = raw.decode("utf-8", errors="replace").rstrip("\n")
                    yield Row(number, {}, [(None, f"invalid JSON: {exc}")], raw=text)
                    continue
                if not isinstance(data, dict):
                    yield Row(number, {}, [(None, "a line must be a JSON object")], raw=str(data))
                    continue
                yield Row(number, {"_json": data})  # type: ignore[dict-item]


def open_source(
    path: Path, file_format: str | None = None, sheet: str | None = None
) -> tuple[SourceInfo, CsvReader | XlsxReader | FtmReader]:
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    fmt = file_format or detect_format(path)
    info = SourceInfo(path=path, file_format=fmt, sha256=file_digest(path))
    reader: CsvReader | XlsxReader | FtmReader
    if fmt == "csv":
        reader = CsvReader(path)
        info.encoding, info.delimiter = reader.encoding, reader.delimiter
    elif fmt == "xlsx":
        reader = XlsxReader(path, sheet)
    elif fmt == "ftm":
        reader = FtmReader(path)
    else:
        raise ReadError(f"{path.name}: unknown format {fmt!r} (csv, xlsx or ftm)")
    return info, reader

"""Reading roster CSV files: a folder or a zip, UTF-8 (or UTF-16 with its byte-order mark), one row at a time.

A roster set can be hundreds of megabytes, so nothing here holds a file whole: the encoding is checked by decoding the
bytes in chunks, and rows are parsed as they stream past. Every problem is a RosterError that names the file, the row
(as a spreadsheet numbers it: the header is row 1) and the column, so a person can open the file and fix it.
"""

import codecs
import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

CHUNK = 1 << 20
# Cells may be long (a list of many ids), but a runaway quote must not swallow the rest of a 200 MB file.
FIELD_LIMIT = 1 << 20
csv.field_size_limit(FIELD_LIMIT)


class RosterError(Exception):
    """A roster set RaptorLink refuses, and where exactly the problem is."""

    def __init__(self, message, *, file=None, row=None, column=None):
        self.file, self.row, self.column, self.problem = file, row, column, message
        super().__init__(self.where() + message)

    def where(self):
        if self.file is None:
            return ""
        place = (
            self.file + (f" row {self.row}" if self.row else "") + (f", column {self.column}" if self.column else "")
        )
        return place + ": "


class RosterFiles:
    """The files of one roster set, from a folder or a zip file, found by their names (without folders)."""

    def __init__(self, path):
        self.path = Path(path)
        if self.path.is_dir():
            self._zip = None
            self._members = {entry.name: entry for entry in self.path.iterdir() if entry.is_file()}
        elif zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            self._members = {
                Path(info.filename).name: info.filename for info in self._zip.infolist() if not info.is_dir()
            }
        elif self.path.exists():
            raise RosterError(f"{self.path.name} is neither a folder nor a zip file of CSV files.")
        else:
            raise RosterError(f"There is no file or folder {self.path}.")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._zip is not None:
            self._zip.close()

    def names(self):
        return {name for name in self._members if name.lower().endswith(".csv")}

    def exists(self, name):
        return name in self._members

    def open_binary(self, name):
        if name not in self._members:
            raise RosterError(f"{name} is missing from the set.")
        if self._zip is not None:
            return self._zip.open(self._members[name])
        return open(self._members[name], "rb")


def encoding_of(files, name):
    """(encoding, note): UTF-16 when the file starts with its byte-order mark, else UTF-8 (with or without a
    byte-order mark). Any other file is refused at the row of its first byte that is not UTF-8: guessing at
    Windows-1252 or Latin-1 would import every name of a file in another encoding garbled."""
    with files.open_binary(name) as stream:
        start = stream.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _utf16_check(files, name)
        return "utf-16", f"{name} is UTF-16: it was read as such."
    if start.startswith(b"PK\x03\x04"):
        raise RosterError("the file is an Excel workbook (or another zip file), not CSV text; in Excel, save it as "
                          "CSV UTF-8 and import that file.", file=name)  # fmt: skip
    _utf8_check(files, name)
    return "utf-8-sig", ""


def _utf8_check(files, name):
    """Refuse the file at its first byte that is not UTF-8, or its first NUL byte (valid UTF-8, but no CSV text
    holds one: UTF-16 without its byte-order mark is full of them)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with files.open_binary(name) as stream:
        while chunk := stream.read(CHUNK):
            pending = len(decoder.getstate()[0])
            bad = []
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                bad.append(offset - pending + error.start)
            if (nul := chunk.find(b"\0")) >= 0:
                bad.append(offset + nul)
            if bad:
                raise _not_utf8(files, name, min(bad))
            offset += len(chunk)
    leftover = len(decoder.getstate()[0])
    if leftover:
        raise _not_utf8(files, name, offset - leftover)


def _utf16_check(files, name):
    decoder = codecs.getincrementaldecoder("utf-16")()
    with files.open_binary(name) as stream:
        try:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise RosterError("the file starts as UTF-16 (“Unicode text”) but is not valid UTF-16; save it as CSV "
                              "UTF-8 and import it again.", file=name) from None  # fmt: skip


def _not_utf8(files, name, position):
    row, byte, cell = _place_of(files, name, position)
    if byte == 0:
        problem = ("holds a NUL byte, which CSV text never does (is it UTF-16 without its byte-order mark, or not "
                   "a text file?)")  # fmt: skip
    else:
        problem = (f"has the byte 0x{byte:02X}, which is not UTF-8, in “{cell}” (shown as Windows-1252 would "
                   "read it)")  # fmt: skip
    return RosterError(
        f"the file must be UTF-8 but {problem}; save it as CSV UTF-8 and import it again.", file=name, row=row
    )


def _place_of(files, name, position):
    """(row, byte, cell) of the byte at `position`: its row as a spreadsheet numbers it (a line break inside quotes
    does not start a row) and the text of its cell as Windows-1252 shows it, for a person to find it."""
    row, quoted, offset, before = 1, False, 0, b""
    with files.open_binary(name) as stream:
        while offset < position and (chunk := stream.read(min(CHUNK, position - offset))):
            # A quote byte is never part of a UTF-8 sequence, and "" inside a quoted cell toggles twice.
            for index, part in enumerate(chunk.split(b'"')):
                quoted = quoted != (index > 0)
                row += 0 if quoted else part.count(b"\n")
            offset += len(chunk)
            before = (before + chunk)[-80:]
        after = stream.read(80)
    head = re.split(rb'[,"\r\n]', before)[-1]
    tail = re.split(rb'[,"\r\n]', after[1:])[0]
    cell = (head + after[:1] + tail).decode("cp1252", errors="replace")
    return row, after[0], cell


class Row:
    """One data row: its cells by column name, read as the type each column holds."""

    __slots__ = ("file", "number", "cells")

    def __init__(self, file, number, cells):
        self.file, self.number, self.cells = file, number, cells

    def error(self, column, message):
        return RosterError(message, file=self.file, row=self.number, column=column)

    def text(self, column, *, required=False):
        value = self.cells.get(column, "").strip()
        if required and not value:
            raise self.error(column, "this column must not be empty.")
        return value

    def date(self, column, *, required=False, formats=("%Y-%m-%d",)):
        value = self.text(column, required=required)
        if not value:
            return None
        for format_ in formats:
            try:
                return datetime.strptime(value, format_).date()
            except ValueError:
                continue
        shown = " or ".join(_FORMAT_NAMES[format_] for format_ in formats)
        raise self.error(column, f"“{value}” is not a date ({shown}).")

    def timestamp(self, column, *, required=False):
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.error(
                column, f"“{value}” is not a date and time (ISO 8601, e.g. 2026-09-01T08:00:00Z)."
            ) from None

    def choice(self, column, choices, *, required=False):
        value = self.text(column, required=required)
        if value and value not in choices:
            raise self.error(column, f"“{value}” is not one of: {', '.join(choices)}.")
        return value

    def boolean(self, column, *, required=False):
        value = self.choice(column, ("true", "false"), required=required)
        return None if not value else value == "true"

    def items(self, column, *, required=False):
        """A list cell: values separated by commas (the whole cell quoted)."""
        value = self.text(column, required=required)
        return [item.strip() for item in value.split(",") if item.strip()]

    def whole_number(self, column, *, required=False, meaning="a whole number"):
        value = self.text(column, required=required)
        if not value:
            return None
        if not value.isdecimal() or not value.isascii():
            raise self.error(column, f"“{value}” is not {meaning}.")
        return int(value)


_FORMAT_NAMES = {"%Y-%m-%d": "YYYY-MM-DD", "%m/%d/%Y": "MM/DD/YYYY"}


def read_rows(files, name, check_header, *, notes):
    """Yield the data rows of `name`, after `check_header(header)` accepted its header. Blank lines are skipped; a
    row with more or fewer cells than the header is refused. Encoding notes are appended to `notes`."""
    encoding, note = encoding_of(files, name)
    if note:
        notes.append(note)
    with files.open_binary(name) as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        reader = csv.reader(text)
        header = _header(reader, name)
        check_header(name, header)
        width = len(header)
        number = 1
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise RosterError(
                    f"the CSV cannot be read ({error}); look for an unclosed quote.", file=name, row=number
                ) from None
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != width:
                raise RosterError(
                    f"the row has {len(cells)} cells but the header names {width} columns.", file=name, row=number
                )
            yield Row(name, number, dict(zip(header, cells, strict=True)))


def _header(reader, name):
    try:
        header = next(reader)
    except StopIteration:
        raise RosterError("the file is empty: it needs at least its header row.", file=name) from None
    except csv.Error as error:
        raise RosterError(f"the header cannot be read ({error}).", file=name, row=1) from None
    header = [column.strip() for column in header]
    if not any(header):
        raise RosterError("the first row is blank: it must be the header.", file=name, row=1)
    if len(header) == 1:
        _separator_check(header[0], name)
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise RosterError(f"the header names “{repeated[0]}” more than once.", file=name, row=1)
    return header


def _separator_check(header, name):
    """Spreadsheets also save "CSV" with tabs (Unicode text) or, in many countries, semicolons between the cells."""
    for separator, called in (("\t", "tabs"), (";", "semicolons")):
        if separator in header:
            raise RosterError(f"the cells are separated by {called}, not commas; save the file as CSV UTF-8 "
                              "(comma-separated) and import it again.", file=name, row=1)  # fmt: skip


def exact_header(expected, *, extension_prefix=None):
    """A header check for a format that fixes its columns and their order; extension columns (named with
    `extension_prefix`) may follow them."""

    def check(name, header):
        own = [column for column in header if not (extension_prefix and column.startswith(extension_prefix))]
        if own == list(expected) and header[: len(expected)] == list(expected):
            return
        missing = [column for column in expected if column not in header]
        unknown = [column for column in own if column not in expected]
        listing = ",".join(expected)
        if missing:
            problem = f"the header lacks the column “{missing[0]}”."
        elif unknown:
            problem = f"the header has an unknown column “{unknown[0]}”."
        else:
            at = next(index for index, (got, want) in enumerate(zip(header, expected, strict=False)) if got != want)
            problem = f"the columns are out of order: column {at + 1} is “{header[at]}” where “{expected[at]}” belongs."
        raise RosterError(f"{problem} The header must be, in this order: {listing}", file=name, row=1)

    return check


def required_header(required):
    """A header check for a format whose columns may come in any order, as long as the required ones are there."""

    def check(name, header):
        missing = [column for column in required if column not in header]
        if missing:
            raise RosterError(
                f"the header lacks the required column “{missing[0]}” (required: {', '.join(required)}).",
                file=name,
                row=1,
            )

    return check

"""Turn a file's bytes into text, or into problems with positions. No YAML knowledge here."""

from __future__ import annotations

from dataclasses import dataclass

from postcal.problems import Problem, error

MAX_FILE_BYTES = 256 * 1024
"""Posts, personas and campaigns are small; anything larger is a mistake (a pasted binary, a log)."""

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class SourceText:
    path: str
    text: str


def position_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset in possibly invalid UTF-8."""
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def position_of_char(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def decode(path: str, data: bytes, max_bytes: int = MAX_FILE_BYTES) -> SourceText | Problem:
    """Strict UTF-8 without BOM or NUL; CRLF line ends are accepted and normalised to LF."""
    if len(data) > max_bytes:
        return error(
            path,
            1,
            1,
            "file-too-large",
            f"file is {len(data):,} bytes; the limit is {max_bytes:,}",
            "keep media in separate files and reference them from `media:`",
        )
    if data.startswith(BOM):
        return error(
            path,
            1,
            1,
            "encoding",
            "file starts with a UTF-8 byte-order mark",
            "save the file as UTF-8 without BOM",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position_of_byte(data, exc.start)
        return error(
            path,
            line,
            column,
            "encoding",
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
        )
    nul = text.find("\0")
    if nul >= 0:
        line, column = position_of_char(text, nul)
        return error(path, line, column, "encoding", "file contains a NUL byte", "is it binary?")
    return SourceText(path, text.replace("\r\n", "\n"))

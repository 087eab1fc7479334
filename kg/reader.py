"""Read a source file into text: bytes -> decoded, NFC-normalised str.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_bytes("Kế hoạch".encode())
>>> read_text(p)
'Kế hoạch'
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from .errors import ReadError

#: Files larger than this are refused before they are read in full (bytes).
MAX_FILE_BYTES = 20 * 1024 * 1024


def decode(data: bytes, name: str) -> str:
    """Decode bytes by their BOM, else as UTF-8; NFC-normalise."""
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ReadError(name, f"not UTF-8 text (byte {e.start}: {data[e.start:e.start + 1]!r})") from None
    if "\x00" in text:
        raise ReadError(name, "binary content (NUL bytes), not a text document")
    return unicodedata.normalize("NFC", text)


def read_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of one source file, NFC."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise ReadError(str(path), e.strerror or "cannot be read") from None
    if not p.is_file():
        raise ReadError(str(path), "not a regular file")
    if size > max_bytes:
        raise ReadError(str(path), f"file is {size} bytes, over the limit of {max_bytes}")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReadError(str(path), e.strerror or "cannot be read") from None
    return decode(data, str(path))

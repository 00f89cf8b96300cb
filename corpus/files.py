"""Local files to text: refuse binary, non-UTF-8, empty and oversized files clearly.

Every reader of local files goes through `read_text` so that a user who points the
tool at the wrong file gets one line saying what is wrong with it, not a traceback
or, worse, silently garbled text.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from corpus.errors import CorpusError

MAX_FILE_BYTES = 20 * 1024 * 1024
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM is accepted and dropped) or a CorpusError saying why not."""
    if data.startswith(_UTF32_BOMS) or data.startswith(_UTF16_BOMS):
        raise CorpusError(name, "text is UTF-16/UTF-32, not UTF-8; save it as UTF-8")
    if b"\x00" in data:
        raise CorpusError(name, "not a text file (binary content)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CorpusError(
            name, f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
                  "save it as UTF-8") from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if controls > max(3, len(text) // 100):
        raise CorpusError(name, "not a text file (binary content)")
    if not text.strip():
        raise CorpusError(name, "empty file")
    return text


def read_text(path: Path, name: str | None = None) -> str:
    """The text of a UTF-8 file; `name` is how errors refer to it (default: the path)."""
    name = name or str(path)
    return decode_text(read_bytes(path, name), name)


def read_bytes(path: Path, name: str) -> bytes:
    """The bytes of a file, or a CorpusError saying why they cannot be read (missing, a folder,
    not a regular file, too large, unreadable, empty)."""
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            raise CorpusError(name, "not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(name, f"file too large ({size // (1024 * 1024)} MB; "
                                    f"limit {MAX_FILE_BYTES // (1024 * 1024)} MB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(name, "no such file or folder") from None
    except PermissionError:
        raise CorpusError(name, "cannot read the file (permission denied)") from None
    except IsADirectoryError:
        raise CorpusError(name, "is a folder, not a file") from None
    except OSError as err:
        raise CorpusError(name, f"cannot read the file ({err.strerror or err})") from None
    if not data.strip():
        raise CorpusError(name, "empty file")
    return data

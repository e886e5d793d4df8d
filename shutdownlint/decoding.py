"""Source text from a file's bytes, decoded as Python decodes it.

Apart from the engine so that a run whose results all come from the cache can
read a file's text (for a code frame, a fingerprint) without importing astroid.
"""

from __future__ import annotations

import io
import re
import tokenize
import warnings


def decode(data: bytes) -> tuple[str | None, str | None]:
    """The source text, decoded as Python does (BOM, coding cookie), or an error.

    Any failure of any codec is an error for this file alone: a cookie can name any
    codec Python has (`punycode` fails with UnicodeError, `rot13` with LookupError).
    """
    encoding = "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        text = _undecodable_comments(data)
        if text is None:
            return None, f"cannot decode as {e.encoding}: invalid byte at offset {e.start}"
    except SyntaxError as e:
        text = _undecodable_comments(data)
        if text is None:
            return None, f"cannot decode: {e.msg or e}"
    except LookupError as e:
        return None, f"cannot decode: {e}"
    except Exception as e:  # noqa: BLE001 - a codec may fail in any way
        return None, f"cannot decode as {encoding}: {type(e).__name__}: {e}"
    if not encoding.startswith("utf-8"):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:  # raw_unicode_escape and friends
            return None, f"cannot decode as {encoding}: lone surrogate at offset {e.start}"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


def _undecodable_comments(data: bytes) -> str | None:
    """CPython compiles a file whose undecodable bytes sit only in comments (every
    version, 3.10 to 3.13): that is valid code, so its text is taken with those bytes
    replaced by U+FFFD. None when CPython does not compile it either."""
    if not compiles(data):
        return None
    cookie = _COOKIE.search(b"\n".join(data.split(b"\n", 2)[:2]))
    encoding = cookie.group(1).decode("ascii") if cookie else "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except Exception:  # noqa: BLE001 - as in decode(): any codec may fail in any way
        return None
    return text


def compiles(source: str | bytes) -> bool:
    """Whether CPython compiles `source` (to bytecode, never run): the `ast` module
    gives up on nesting a little shallower than the compiler does (3.11-3.13)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<checked>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True

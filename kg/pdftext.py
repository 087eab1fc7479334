"""The text layer of a PDF, extracted in a child process that a time limit can stop.

A hostile or broken PDF can make a parser loop or inflate streams without end; a thread cannot be
stopped, a process can. :func:`extract_isolated` runs :func:`extract` (pypdf) in a fresh
interpreter (``spawn``: no state shared with the caller), under an address-space limit, and kills
it when the time is up. Failures come back as ``ValueError`` with a one-line reason.

>>> extract(b"not a pdf", 100)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: PDF cannot be read (...)
"""

from __future__ import annotations

import io
import logging
import multiprocessing

#: Address space the child may use (bytes): a PDF whose streams inflate without end fails there.
MEMORY_LIMIT = 2 * 1024 * 1024 * 1024


class TooLong(ValueError):
    """The text layer is longer than the caller accepts."""


class TimedOut(ValueError):
    """The extraction did not finish in time."""


def extract(data: bytes, max_chars: int) -> str:
    """The text of every page of the PDF ``data``, pages joined by newlines (in this process).

    >>> extract(b"%PDF-1.4", 10)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: PDF cannot be read (...)
    """
    try:
        from pypdf import PdfReader
    except ImportError:
        raise ValueError("PDF support needs the pypdf package (pip install pypdf)") from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("PDF is encrypted with a password: refused")
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text) + 1
            if total > max_chars:
                raise TooLong(f"PDF text is over the limit of {max_chars} characters")
            pages.append(text)
    except ValueError:
        raise
    except Exception as e:  # pypdf raises many kinds on broken files; each means "cannot be read"
        raise ValueError(f"PDF cannot be read ({type(e).__name__}: {e})") from None
    return "\n".join(pages)


def extract_isolated(data: bytes, max_chars: int, timeout_s: float) -> str:
    """:func:`extract` in a child process, killed after ``timeout_s`` seconds.

    >>> extract_isolated(b"%PDF-1.4", 10, 0.001)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    luocdo.kg.pdftext.TimedOut: PDF text extraction took longer than 0.001 s: refused
    """
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, data, max_chars), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise TimedOut(f"PDF text extraction took longer than {timeout_s} s: refused")
        kind, payload = receiver.recv()
    except EOFError:
        child.join(1)
        raise ValueError(f"PDF text extraction crashed (exit code {child.exitcode})") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "text":
        return payload
    raise (TooLong if kind == "too-long" else ValueError)(payload)


def _child(sender, data: bytes, max_chars: int) -> None:
    _limit_memory()
    try:
        reply = ("text", extract(data, max_chars))
    except TooLong as e:
        reply = ("too-long", str(e))
    except ValueError as e:
        reply = ("error", str(e))
    except MemoryError:
        reply = ("error", "PDF needs more memory than allowed: refused")
    sender.send(reply)
    sender.close()


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        pass

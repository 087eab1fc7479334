"""Parsing: text -> model. Stages are pure functions: clean -> find -> extract -> resolve.

``extract_text(text, source)`` is the one entry point; it returns an :class:`~luocdo.kg.model.Extraction`.
"""

from __future__ import annotations

from ..model import Document, Extraction


def extract_text(text: str, source: str, resolver=None) -> Extraction:
    """Extract documents, citations, tasks, assignments and initiatives from one file's text."""
    # Placeholder until the parser lands (same session): one document of unknown kind.
    return Extraction(source=source, text=text,
                      documents=(Document("d1", "Document", None, None, None, None, None, None, None, None,
                                          (0, len(text))),))

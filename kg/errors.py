"""Errors of luocdo: one base class, one subclass per stage.

Messages name the bad value with ``!r`` and where it was (file, offset). The CLI maps them to
exit codes and prints one line; nothing else prints.

>>> str(ReadError("a.txt", "not UTF-8 text"))
"a.txt: not UTF-8 text"
"""

from __future__ import annotations


class LuocdoError(Exception):
    """Base of every error luocdo raises on purpose."""

    exit_code = 1


class ReadError(LuocdoError):
    """A source file cannot be read or decoded."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class ParseError(LuocdoError):
    """The text cannot be turned into a model."""


class IdentityError(LuocdoError):
    """A document or body cannot be identified (unknown, or ambiguous)."""


class QueryError(LuocdoError):
    """A query is unknown, malformed, or its parameters do not fit."""


class StoreError(LuocdoError):
    """The store cannot be opened, read or written."""


class UsageError(LuocdoError):
    """The command line is wrong (exit code 2)."""

    exit_code = 2

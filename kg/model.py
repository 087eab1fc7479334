"""The extracted model: what one source file says, as frozen dataclasses with character spans.

Standard library only. Every span is ``(start, end)`` into the file's text as read (after
decoding, before cleaning), so ``text[start:end]`` is the evidence.

>>> Citation(citing="d1", kind="Plan", number="1587/SGDĐT-VP", title=None,
...          issuer="Sở Giáo dục và Đào tạo tỉnh Hải Dương", date="2023-09-11", year=2023,
...          relation="implements", text="kế hoạch số 1587/SGDĐT-VP", span=(10, 35)).relation
'implements'
"""

from __future__ import annotations

from dataclasses import dataclass, field

Span = tuple[int, int]

#: Citation relations, strongest first (the contract keeps the strongest per cited document).
RELATIONS: tuple[str, ...] = (
    "basedOn", "promulgates", "implements", "amends", "replaces", "repeals", "guides", "reportsOn", "cites",
)
#: Strength rank of each relation: lower is stronger.
RELATION_RANK: dict[str, int] = {
    "basedOn": 0, "promulgates": 1, "implements": 2,
    "amends": 3, "replaces": 3, "repeals": 3, "guides": 3,
    "reportsOn": 4, "cites": 5,
}
ROLES: tuple[str, ...] = ("lead", "cooperate", "responsible", "advise", "report")


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signed (``Đỗ Thế Ngọc``, ``Trưởng phòng``); either part may be unknown."""

    name: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class Document:
    """A document the file holds or reports on (văn bản).

    ``kind`` is a contract kind (``Plan``, ``Decision``, ...); ``number`` the canonical số ký hiệu.
    """

    key: str
    kind: str
    number: str | None
    title: str | None
    issuer: str | None
    date: str | None
    year: int | None
    place: str | None
    signer: Signer | None
    jurisdiction: str | None
    span: Span
    recipients: tuple[str, ...] = ()
    school_year: str | None = None
    publisher: str | None = None
    promulgated_by: str | None = None  # key of the decision that issues it (ban hành kèm theo)


@dataclass(frozen=True, slots=True)
class Citation:
    """One distinct document cited by a document of the file (``citing`` is its key)."""

    citing: str
    kind: str
    number: str | None
    title: str | None
    issuer: str | None
    date: str | None
    year: int | None
    relation: str
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Task:
    """A numbered task (nhiệm vụ, giải pháp) of a document; ``parent`` is the number of the enclosing task."""

    doc: str
    number: str
    title: str
    parent: str | None
    span: Span
    body: str = ""


@dataclass(frozen=True, slots=True)
class Assignment:
    """A body given a role (chủ trì, phối hợp, ...) for a document or one of its tasks."""

    doc: str
    task: str | None
    assignee: str
    role: str
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Initiative:
    """A named programme, scheme or campaign quoted in the text (Đề án "...", phong trào "...")."""

    doc: str
    kind: str
    title: str
    span: Span


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one source file."""

    source: str
    text: str
    documents: tuple[Document, ...]
    citations: tuple[Citation, ...] = ()
    tasks: tuple[Task, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict:
        """The contract JSON (``contracts/extract-json.md``) of this extraction."""
        return {
            "source": self.source,
            "documents": [
                {
                    "key": d.key, "kind": d.kind, "number": d.number, "title": d.title,
                    "issuer": d.issuer, "date": d.date, "year": d.year, "place": d.place,
                    "signer": ({"name": d.signer.name, "title": d.signer.title} if d.signer else None),
                    "jurisdiction": d.jurisdiction, "span": list(d.span),
                    "recipients": list(d.recipients), "schoolYear": d.school_year,
                    "publisher": d.publisher, "promulgatedBy": d.promulgated_by,
                }
                for d in self.documents
            ],
            "citations": [
                {
                    "from": c.citing, "kind": c.kind, "number": c.number, "title": c.title,
                    "issuer": c.issuer, "date": c.date, "year": c.year, "relation": c.relation,
                    "text": c.text, "span": list(c.span),
                }
                for c in self.citations
            ],
            "tasks": [
                {"doc": t.doc, "number": t.number, "title": t.title, "parent": t.parent, "span": list(t.span)}
                for t in self.tasks
            ],
            "assignments": [
                {"doc": a.doc, "task": a.task, "assignee": a.assignee, "role": a.role,
                 "text": a.text, "span": list(a.span)}
                for a in self.assignments
            ],
            "initiatives": [
                {"doc": i.doc, "kind": i.kind, "title": i.title, "span": list(i.span)}
                for i in self.initiatives
            ],
        }

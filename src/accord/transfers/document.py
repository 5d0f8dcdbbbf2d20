"""The transfers document (``accord.transfers/1``, YAML or JSON): sources, item categories and
transfer cases, read with every field located by its path (and line, through the caller).

::

    schema: accord.transfers/1
    sources: [{id, title, publisher?, url?, date?}]
    categories: [{name, capability (or null), basis, description?}]   # added to the defaults
    cases:
      - {id, kind, buyer, seller, title, value?, currency?, note?,
         items: [{name, category, quantity?}],
         events: [{kind, date, grade, sources: [source ids], note?}]}

A document is valid as a whole: every source an event cites exists, case ids are unique, and
every item's category is known (a default one or one the document defines).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.agreements.evidence import Grade
from accord.agreements.merge import MergeSummary, merge_keyed
from accord.agreements.model import Source
from accord.agreements.reader import Reader
from accord.agreements.record import read_date, read_source, source_to_dict
from accord.errors import InvalidInput
from accord.transfers.categories import Categories, ItemCategory
from accord.transfers.model import CaseEvent, CaseEventKind, Item, TransferCase, TransferKind

SCHEMA = "accord.transfers/1"
MAX_CASES = 10_000
MAX_LIST = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferRecord:
    sources: tuple[Source, ...]
    categories: Categories
    #: The categories the document itself defines (the rest are the defaults).
    own_categories: tuple[ItemCategory, ...]
    cases: tuple[TransferCase, ...]

    def case(self, case_id: str) -> TransferCase:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise InvalidInput(f"no transfer case '{case_id[:64]}'", field="case")

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


def _integer(r: Reader, what: str) -> int:
    if type(r.value) is not int:
        raise r.fail(f"{what} is a whole number")
    return r.value


def _category(r: Reader) -> ItemCategory:
    r.mapping(required=("name", "capability", "basis"), optional=("description",))
    capability = r.field("capability")
    return r.build(
        ItemCategory,
        name=r.field("name").text(),
        capability=None if capability.value is None else capability.text(),
        basis=r.field("basis").text(),
        description=r.field("description").optional_text(),
    )


def _item(r: Reader) -> Item:
    r.mapping(required=("name", "category"), optional=("quantity",))
    quantity = r.field("quantity")
    return r.build(
        Item,
        name=r.field("name").text(),
        category=r.field("category").text(),
        quantity=None if quantity.value is None else _integer(quantity, "quantity"),
    )


def _event(r: Reader) -> CaseEvent:
    r.mapping(required=("kind", "date", "grade", "sources"), optional=("note",))
    return r.build(
        CaseEvent,
        kind=r.field("kind").choice(CaseEventKind, "case event"),
        date=read_date(r.field("date")),
        grade=r.field("grade").choice(Grade, "evidence grade"),
        sources=tuple(r.field("sources").texts(limit=MAX_LIST)),
        note=r.field("note").optional_text(),
    )


def _case(r: Reader) -> TransferCase:
    r.mapping(
        required=("id", "kind", "buyer", "seller", "title", "items", "events"),
        optional=("value", "currency", "note"),
    )
    value = r.field("value")
    return r.build(
        TransferCase,
        id=r.field("id").text(),
        kind=r.field("kind").choice(TransferKind, "transfer kind"),
        buyer=r.field("buyer").text(),
        seller=r.field("seller").text(),
        title=r.field("title").text(),
        items=tuple(_item(i) for i in r.field("items").items(limit=MAX_LIST, optional=False)),
        events=tuple(_event(e) for e in r.field("events").items(limit=MAX_LIST, optional=False)),
        value=None if value.value is None else _integer(value, "value"),
        currency=r.field("currency").optional_text("USD"),
        note=r.field("note").optional_text(),
    )


def transfers_from_dict(data: object, base: Categories | None = None) -> TransferRecord:
    """A validated transfers record from a parsed document; :class:`InvalidInput` names the
    field."""
    root = Reader(data).mapping(required=("schema",), optional=("sources", "categories", "cases"))
    schema = root.field("schema").text()
    if schema != SCHEMA:
        raise root.field("schema").fail(f"unsupported schema '{schema[:40]}' (expected {SCHEMA})")
    sources = tuple(read_source(s) for s in root.field("sources").items(limit=MAX_CASES))
    own = tuple(_category(c) for c in root.field("categories").items(limit=MAX_LIST))
    categories = (base or Categories()).with_categories(own)
    case_readers = root.field("cases").items(limit=MAX_CASES)
    cases = tuple(_case(c) for c in case_readers)
    known_sources = {s.id for s in sources}
    if len(known_sources) != len(sources):
        raise InvalidInput("a source id is used twice", field="sources")
    seen: set[str] = set()
    for reader, case in zip(case_readers, cases, strict=True):
        if case.id in seen:
            raise reader.field("id").fail(f"case id '{case.id}' is used twice")
        seen.add(case.id)
        for index, item in enumerate(case.items):
            reader.field("items").items(limit=MAX_LIST)[index].field("category").build(
                categories.get, item.category
            )
        for index, event in enumerate(case.events):
            for cited in event.sources:
                if cited not in known_sources:
                    where = reader.field("events").items(limit=MAX_LIST)[index].field("sources")
                    raise where.fail(f"unknown source '{cited}'")
    return TransferRecord(sources=sources, categories=categories, own_categories=own, cases=cases)


def case_to_dict(case: TransferCase) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": case.id,
        "kind": case.kind.value,
        "buyer": case.buyer,
        "seller": case.seller,
        "title": case.title,
        "items": [
            {"name": i.name, "category": i.category}
            | ({"quantity": i.quantity} if i.quantity is not None else {})
            for i in case.items
        ],
        "events": [
            {
                "kind": e.kind.value,
                "date": str(e.date),
                "grade": e.grade.value,
                "sources": list(e.sources),
            }
            | ({"note": e.note} if e.note else {})
            for e in case.events
        ],
    }
    if case.value is not None:
        out["value"] = case.value
        out["currency"] = case.currency
    if case.note:
        out["note"] = case.note
    return out


def transfers_to_dict(record: TransferRecord) -> dict[str, Any]:
    document: dict[str, Any] = {"schema": SCHEMA}
    if record.sources:
        document["sources"] = [source_to_dict(s) for s in record.sources]
    if record.own_categories:
        document["categories"] = [
            {"name": c.name, "capability": c.capability, "basis": c.basis}
            | ({"description": c.description} if c.description else {})
            for c in record.own_categories
        ]
    document["cases"] = [case_to_dict(c) for c in record.cases]
    return document


def merge_records(
    current: TransferRecord, incoming: TransferRecord, *, replace: bool = False
) -> tuple[TransferRecord, MergeSummary]:
    """``incoming`` merged into ``current``, all or nothing (as register imports): new entries
    added, identical ones unchanged, different ones a conflict unless ``replace``. The merged
    record is validated whole (every cited source and every item's category exists)."""
    summary = MergeSummary()
    sources = merge_keyed(
        current.sources, incoming.sources, lambda s: s.id, "source", replace, summary
    )
    categories = merge_keyed(
        current.own_categories,
        incoming.own_categories,
        lambda c: c.name,
        "category",
        replace,
        summary,
    )
    cases = merge_keyed(current.cases, incoming.cases, lambda c: c.id, "case", replace, summary)
    merged = transfers_from_dict(
        transfers_to_dict(
            TransferRecord(
                sources=sources,
                categories=Categories(),
                own_categories=categories,
                cases=cases,
            )
        )
    )
    return merged, summary

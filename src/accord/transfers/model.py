"""Equipment transfer cases: what was sold (or leased, or given), to whom, when, on what evidence.

PURE. A case is a US arms transfer as public sources describe it: its kind (a Foreign Military
Sale, a Direct Commercial Sale, Excess Defense Articles, a lease, a grant), buyer and seller, the
items it carries (each in an item category, which says which agreement it needs), and its dated
events, each with its sources and an evidence grade (DOMAIN.md section 4).

Invariants (checked when a case is made): an id is a slug; buyer and seller are two different
nations; a case has at least one item and one event; the events of the procurement path come in
their order (a DSCA notification, then the Letter of Offer and Acceptance offered, then signed,
then the contract, then the first delivery, then the last), each at most once; a case is
suspended or cancelled only after its first event, and nothing but a resumption follows a
cancellation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from accord.agreements.dates import FuzzyDate
from accord.agreements.evidence import Grade
from accord.agreements.model import text
from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import slug
from accord.errors import InvalidInput

MAX_TITLE = 300


class TransferKind(enum.StrEnum):
    FMS = "fms"
    DCS = "dcs"
    EDA = "eda"
    LEASE = "lease"
    GRANT = "grant"


class CaseEventKind(enum.StrEnum):
    """A transfer's dated events. The first six are the procurement path, in its order."""

    NOTIFIED = "notified"
    LOA_OFFERED = "loa-offered"
    LOA_SIGNED = "loa-signed"
    CONTRACT = "contract"
    FIRST_DELIVERY = "first-delivery"
    LAST_DELIVERY = "last-delivery"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    CANCELLED = "cancelled"

    @property
    def step(self) -> int | None:
        """The position on the procurement path, or ``None`` for a change of the case's state."""
        order = list(CaseEventKind)
        index = order.index(self)
        return index if index <= order.index(CaseEventKind.LAST_DELIVERY) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseEvent:
    kind: CaseEventKind
    date: FuzzyDate
    grade: Grade
    sources: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        text(self.note, "note")
        for source_id in self.sources:
            slug(source_id, "source id")


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """What a case transfers: a name, the item category that says which agreement it needs, and
    how many when the sources say."""

    name: str
    category: str
    quantity: int | None = None

    def __post_init__(self) -> None:
        text(self.name, "item name", limit=MAX_TITLE, required=True)
        slug(self.category, "item category")
        if self.quantity is not None and not 0 < self.quantity <= 1_000_000:
            raise InvalidInput("an item's quantity is between 1 and 1,000,000", field="quantity")


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferCase:
    id: str
    kind: TransferKind
    buyer: str
    seller: str
    title: str
    items: tuple[Item, ...]
    events: tuple[CaseEvent, ...]
    #: The value the sources give, in whole units of ``currency`` (``None``: not stated).
    value: int | None = None
    currency: str = "USD"
    note: str = ""

    def __post_init__(self) -> None:
        slug(self.id, "case id")
        try:
            buyer = nation_code(self.buyer)
        except InvalidInput as e:
            raise e.at(field_prefix="buyer") from None
        try:
            seller = nation_code(self.seller)
        except InvalidInput as e:
            raise e.at(field_prefix="seller") from None
        if buyer == seller:
            raise InvalidInput("a case's buyer and seller are two different nations")
        object.__setattr__(self, "buyer", buyer)
        object.__setattr__(self, "seller", seller)
        text(self.title, "title", limit=MAX_TITLE, required=True)
        text(self.note, "note")
        if not self.items:
            raise InvalidInput("a case transfers at least one item", field="items")
        if not self.events:
            raise InvalidInput("a case has at least one dated event", field="events")
        if self.value is not None and not 0 <= self.value <= 10**13:
            raise InvalidInput("a case's value is between 0 and 10^13", field="value")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise InvalidInput("a currency is an ISO 4217 code (USD)", field="currency")
        _check_order(self.events)

    def event(self, kind: CaseEventKind) -> CaseEvent | None:
        return next((e for e in self.events if e.kind is kind), None)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({i.category for i in self.items}))


def _check_order(events: tuple[CaseEvent, ...]) -> None:
    """The procurement path in its order, each step once; changes of state after it begins."""
    seen: dict[CaseEventKind, CaseEvent] = {}
    for index, event in enumerate(events):
        where = f"events[{index}]"
        step = event.kind.step
        if step is not None:
            if event.kind in seen:
                raise InvalidInput(f"a case is '{event.kind}' only once", field=where)
            for earlier in seen.values():
                if earlier.kind.step is not None and earlier.kind.step > step:
                    raise InvalidInput(
                        f"'{event.kind}' cannot come after '{earlier.kind}'", field=where
                    )
            seen[event.kind] = event
        elif index == 0:
            raise InvalidInput(f"a case cannot begin '{event.kind}'", field=where)
        if index and event.date.latest < events[index - 1].date.earliest:
            raise InvalidInput(
                f"'{event.kind}' ({event.date}) is dated before '{events[index - 1].kind}' "
                f"({events[index - 1].date}): list events in their order",
                field=where,
            )
        if (
            index
            and events[index - 1].kind is CaseEventKind.CANCELLED
            and (event.kind is not CaseEventKind.RESUMED)
        ):
            raise InvalidInput(f"a cancelled case is not '{event.kind}'", field=where)

"""The register's repository: loads a validated :class:`Register` and saves a new one by writing
only what changed, guarded by the register's revision (optimistic concurrency: two operators
changing the register at once cannot silently overwrite each other)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from accord.agreements.dates import FuzzyDate
from accord.agreements.model import Agreement
from accord.agreements.record import (
    SCHEMA,
    agreement_to_dict,
    event_to_dict,
    register_from_dict,
    register_to_dict,
)
from accord.agreements.register import Register
from accord.errors import Conflict, StorageError
from accord.store import tables as t

_REVISION = "revision"


class RegisterRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def revision(self) -> int:
        value = self.connection.execute(
            select(t.register_meta.c.value).where(t.register_meta.c.key == _REVISION)
        ).scalar_one_or_none()
        return int(value) if value is not None else 0

    def load(self) -> Register:
        c = self.connection
        events: dict[str, list[dict[str, Any]]] = {}
        for row in c.execute(
            select(t.agreement_events).order_by(
                t.agreement_events.c.agreement_id, t.agreement_events.c.position
            )
        ).mappings():
            event: dict[str, Any] = {
                "kind": row["kind"],
                "date": row["date"],
                "sources": row["sources"],
                "note": row["note"],
                "grade": row["grade"],
            }
            if row["term"] is not None:
                event["term"] = row["term"]
            events.setdefault(row["agreement_id"], []).append(event)
        parties: dict[str, list[str]] = {}
        for row in c.execute(select(t.agreement_parties)).mappings():
            parties.setdefault(row["agreement_id"], []).append(row["nation"])
        document = {
            "schema": SCHEMA,
            "types": [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "aliases": r["aliases"],
                    "capabilities": r["capabilities"],
                    "description": r["description"],
                }
                for r in c.execute(select(t.agreement_types)).mappings()
            ],
            "sources": [
                {k: v for k, v in r.items() if v is not None}
                for r in c.execute(select(t.sources)).mappings()
            ],
            "agreements": [
                {
                    "id": r["id"],
                    "type": r["type_code"],
                    "title": r["title"],
                    "parties": parties.get(r["id"], []),
                    "signatories": r["signatories"],
                    "scope": r["scope"],
                    "caveats": r["caveats"],
                    "capabilities": r["extra_capabilities"],
                    "entry_into_force": r["entry_into_force"],
                    "note": r["note"],
                    "events": events.get(r["id"], []),
                }
                for r in c.execute(select(t.agreements)).mappings()
            ],
            "designations": [
                {
                    "nation": r["nation"],
                    "by": r["by_nation"],
                    "title": r["title"],
                    "date": r["date"],
                    "sources": r["sources"],
                    "grade": r["grade"],
                }
                for r in c.execute(select(t.designations).order_by(t.designations.c.id)).mappings()
            ],
            "unknowns": [
                {
                    "type": r["type_code"],
                    "parties": r["parties"],
                    "reason": r["reason"],
                    "sources": r["sources"],
                    "grade": r["grade"],
                }
                for r in c.execute(
                    select(t.agreement_unknowns).order_by(t.agreement_unknowns.c.id)
                ).mappings()
            ],
            "measures": [
                {k: v for k, v in r.items() if v is not None and k not in ("id", "by_nation")}
                | {"by": r["by_nation"]}
                for r in c.execute(select(t.measures).order_by(t.measures.c.id)).mappings()
            ],
            "milestones": [
                {
                    "nations": r["nations"],
                    "date": r["date"],
                    "text": r["text"],
                    "sources": r["sources"],
                }
                for r in c.execute(select(t.milestones).order_by(t.milestones.c.id)).mappings()
            ],
        }
        try:
            return register_from_dict(document)
        except Exception as e:
            # What the store holds was validated on the way in: this is corruption.
            raise StorageError(f"the stored register does not load: {e}") from e

    def save(
        self, new: Register, *, expected_revision: int, current: Register | None = None
    ) -> int:
        """Write ``new`` over what is stored, if nobody changed it since ``expected_revision``
        (``current``: the register loaded at that revision, if the caller has it). Returns the
        new revision."""
        revision = self._bump(expected_revision)
        if current is None:
            current = self.load()
        self._save_types(current, new)
        self._save_sources(current, new)
        self._save_agreements(current, new)
        if (
            current.designations != new.designations
            or current.milestones != new.milestones
            or current.unknowns != new.unknowns
            or current.measures != new.measures
        ):
            self._save_context(new)
        return revision

    def _bump(self, expected: int) -> int:
        table = t.register_meta
        if expected == 0 and self.revision() == 0:
            self.connection.execute(insert(table).values(key=_REVISION, value="1"))
            return 1
        result = self.connection.execute(
            update(table)
            .where(table.c.key == _REVISION, table.c.value == str(expected))
            .values(value=str(expected + 1))
        )
        if result.rowcount != 1:
            raise Conflict("the register changed while this change was prepared; try again")
        return expected + 1

    def _save_types(self, current: Register, new: Register) -> None:
        c, table = self.connection, t.agreement_types
        old = {x.code: x for x in current.catalog.custom}
        fresh = {x.code: x for x in new.catalog.custom}
        for code in old.keys() - fresh.keys():
            c.execute(delete(table).where(table.c.code == code))
        for code, item in fresh.items():
            if old.get(code) == item:
                continue
            c.execute(delete(table).where(table.c.code == code))
            c.execute(
                insert(table).values(
                    code=item.code,
                    name=item.name,
                    aliases=list(item.aliases),
                    capabilities=sorted(item.capabilities),
                    description=item.description,
                )
            )

    def _save_sources(self, current: Register, new: Register) -> None:
        c, table = self.connection, t.sources
        old = {x.id: x for x in current.sources}
        fresh = {x.id: x for x in new.sources}
        for source_id in old.keys() - fresh.keys():
            c.execute(delete(table).where(table.c.id == source_id))
        for source_id, item in fresh.items():
            if old.get(source_id) == item:
                continue
            c.execute(delete(table).where(table.c.id == source_id))
            c.execute(
                insert(table).values(
                    id=item.id,
                    title=item.title,
                    publisher=item.publisher,
                    url=item.url,
                    date=str(item.date) if item.date else None,
                )
            )

    def _save_agreements(self, current: Register, new: Register) -> None:
        old = {a.id: a for a in current.agreements}
        fresh = {a.id: a for a in new.agreements}
        for agreement_id in old.keys() - fresh.keys():
            self._delete_agreement(agreement_id)
        for agreement_id, agreement in fresh.items():
            before = old.get(agreement_id)
            if before == agreement:
                continue
            if before is not None and _only_events_appended(before, agreement):
                self._insert_events(agreement, start=len(before.events))
                continue
            if before is not None:
                self._delete_agreement(agreement_id)
            self._insert_agreement(agreement)

    def _delete_agreement(self, agreement_id: str) -> None:
        c = self.connection
        # Children first: SQLite enforces the foreign keys but the cascade is not relied on.
        c.execute(
            delete(t.agreement_events).where(t.agreement_events.c.agreement_id == agreement_id)
        )
        c.execute(
            delete(t.agreement_parties).where(t.agreement_parties.c.agreement_id == agreement_id)
        )
        c.execute(delete(t.agreements).where(t.agreements.c.id == agreement_id))

    def _insert_agreement(self, agreement: Agreement) -> None:
        d = agreement_to_dict(agreement)
        self.connection.execute(
            insert(t.agreements).values(
                id=agreement.id,
                type_code=agreement.type,
                title=agreement.title,
                signatories=d.get("signatories", []),
                scope=d.get("scope", []),
                caveats=d.get("caveats", []),
                extra_capabilities=d.get("capabilities", []),
                entry_into_force=agreement.entry_into_force.value,
                note=agreement.note,
            )
        )
        self.connection.execute(
            insert(t.agreement_parties),
            [{"agreement_id": agreement.id, "nation": nation} for nation in agreement.parties],
        )
        self._insert_events(agreement, start=0)

    def _insert_events(self, agreement: Agreement, *, start: int) -> None:
        rows = []
        for position, event in enumerate(agreement.events[start:], start=start):
            d = event_to_dict(event)
            window: FuzzyDate = event.date
            rows.append(
                {
                    "agreement_id": agreement.id,
                    "position": position,
                    "kind": d["kind"],
                    "date": d["date"],
                    "date_earliest": window.earliest,
                    "date_latest": window.latest,
                    "term": d.get("term"),
                    "sources": d.get("sources", []),
                    "note": event.note,
                    "grade": event.grade.value,
                }
            )
        if rows:
            self.connection.execute(insert(t.agreement_events), rows)

    def _save_context(self, new: Register) -> None:
        c = self.connection
        document = register_to_dict(new)
        c.execute(delete(t.designations))
        c.execute(delete(t.milestones))
        c.execute(delete(t.agreement_unknowns))
        c.execute(delete(t.measures))
        if document.get("measures"):
            c.execute(
                insert(t.measures),
                [
                    {
                        "nation": m["nation"],
                        "by_nation": m["by"],
                        "kind": m["kind"],
                        "title": m["title"],
                        "start": m["start"],
                        "end": m.get("end"),
                        "sources": m["sources"],
                        "grade": m["grade"],
                    }
                    for m in document["measures"]
                ],
            )
        if document.get("unknowns"):
            c.execute(
                insert(t.agreement_unknowns),
                [
                    {
                        "type_code": u["type"],
                        "parties": u["parties"],
                        "reason": u["reason"],
                        "sources": u["sources"],
                        "grade": u["grade"],
                    }
                    for u in document["unknowns"]
                ],
            )
        if document.get("designations"):
            c.execute(
                insert(t.designations),
                [
                    {
                        "nation": d["nation"],
                        "by_nation": d["by"],
                        "title": d["title"],
                        "date": d["date"],
                        "sources": d["sources"],
                        "grade": d["grade"],
                    }
                    for d in document["designations"]
                ],
            )
        if document.get("milestones"):
            c.execute(insert(t.milestones), document["milestones"])


def _only_events_appended(before: Agreement, after: Agreement) -> bool:
    prefix = after.events[: len(before.events)]
    return prefix == before.events and replace(after, events=before.events) == before

"""The register's document form (schema ``accord.register/1``): the public record shipped with
Accord, ``accord agreements import`` and ``export``. YAML and JSON carry the same structure;
docs/register.md describes it field by field.

``register_from_dict(register_to_dict(r)) == r`` for every register.
"""

from __future__ import annotations

from typing import Any

from accord.agreements.catalog import AgreementType, Catalog
from accord.agreements.dates import FuzzyDate
from accord.agreements.evidence import DEFAULT_READING, Grade
from accord.agreements.model import (
    Agreement,
    Caveat,
    Designation,
    EntryIntoForce,
    Event,
    Measure,
    Milestone,
    Signatory,
    Source,
    TermSpec,
    UnknownAgreement,
)
from accord.agreements.nations import nation_code
from accord.agreements.reader import Reader
from accord.agreements.register import Register
from accord.agreements.vocabulary import activity, event_kind, slug

SCHEMA = "accord.register/1"
MAX_ITEMS = 10_000
MAX_SMALL_LIST = 64


def register_from_dict(data: object) -> Register:
    """A validated register from a parsed document; :class:`InvalidInput` names the field."""
    root = Reader(data).mapping(
        required=("schema",),
        optional=(
            "sources",
            "types",
            "agreements",
            "designations",
            "milestones",
            "unknowns",
            "measures",
        ),
    )
    schema = root.field("schema").text()
    if schema != SCHEMA:
        raise root.field("schema").fail(f"unsupported schema '{schema[:40]}' (expected {SCHEMA})")
    custom = [_type(r) for r in root.field("types").items(limit=MAX_SMALL_LIST)]
    catalog = root.build(Catalog.with_custom, custom)
    agreements = [_agreement(r, catalog) for r in root.field("agreements").items(limit=MAX_ITEMS)]
    return root.build(
        Register,
        catalog=catalog,
        agreements=tuple(agreements),
        sources=tuple(read_source(r) for r in root.field("sources").items(limit=MAX_ITEMS)),
        designations=tuple(
            _designation(r) for r in root.field("designations").items(limit=MAX_ITEMS)
        ),
        milestones=tuple(_milestone(r) for r in root.field("milestones").items(limit=MAX_ITEMS)),
        unknowns=tuple(_unknown(r, catalog) for r in root.field("unknowns").items(limit=MAX_ITEMS)),
        measures=tuple(_measure(r) for r in root.field("measures").items(limit=MAX_ITEMS)),
    )


def register_to_dict(register: Register) -> dict[str, Any]:
    document: dict[str, Any] = {"schema": SCHEMA}
    if register.sources:
        document["sources"] = [source_to_dict(s) for s in register.sources]
    if register.catalog.custom:
        document["types"] = [_type_dict(t) for t in register.catalog.custom]
    document["agreements"] = [agreement_to_dict(a) for a in register.agreements]
    if register.designations:
        document["designations"] = [
            {
                "nation": d.nation,
                "by": d.by,
                "title": d.title,
                "date": str(d.date),
                "sources": list(d.sources),
                "grade": d.grade.value,
            }
            for d in register.designations
        ]
    if register.unknowns:
        document["unknowns"] = [unknown_to_dict(u) for u in register.unknowns]
    if register.measures:
        document["measures"] = [measure_to_dict(m) for m in register.measures]
    if register.milestones:
        document["milestones"] = [
            {
                "nations": list(m.nations),
                "date": str(m.date),
                "text": m.text,
                "sources": list(m.sources),
            }
            for m in register.milestones
        ]
    return document


def agreement_to_dict(agreement: Agreement) -> dict[str, Any]:
    out: dict[str, Any] = {"id": agreement.id, "type": agreement.type}
    if agreement.title:
        out["title"] = agreement.title
    out["parties"] = list(agreement.parties)
    if agreement.signatories:
        out["signatories"] = [
            {"organisation": s.organisation, "nation": s.nation} for s in agreement.signatories
        ]
    if agreement.scope:
        out["scope"] = sorted(a.value for a in agreement.scope)
    if agreement.caveats:
        out["caveats"] = [_caveat_dict(c) for c in agreement.caveats]
    if agreement.extra_capabilities:
        out["capabilities"] = sorted(agreement.extra_capabilities)
    if agreement.entry_into_force is not EntryIntoForce.ON_SIGNATURE:
        out["entry_into_force"] = agreement.entry_into_force.value
    if agreement.note:
        out["note"] = agreement.note
    out["events"] = [event_to_dict(e) for e in agreement.events]
    return out


def event_to_dict(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": event.kind.value, "date": str(event.date)}
    if event.term is not None:
        out["term"] = str(event.term)
    if event.sources:
        out["sources"] = list(event.sources)
    out["grade"] = event.grade.value
    if event.note:
        out["note"] = event.note
    return out


# --- readers ---------------------------------------------------------------------------------


def read_source(r: Reader) -> Source:
    """A source entry of a document (shared by the register and the transfer cases)."""
    r.mapping(required=("id", "title"), optional=("publisher", "url", "date"))
    return r.build(
        Source,
        id=r.field("id").text(),
        title=r.field("title").text(),
        publisher=r.field("publisher").optional_text(),
        url=r.field("url").text() if r.has("url") else None,
        date=read_date(r.field("date")) if r.has("date") else None,
    )


def _type(r: Reader) -> AgreementType:
    r.mapping(required=("code", "name", "capabilities"), optional=("aliases", "description"))
    return r.build(
        AgreementType,
        code=r.field("code").text(),
        name=r.field("name").text(),
        capabilities=frozenset(r.field("capabilities").texts(limit=MAX_SMALL_LIST)),
        aliases=tuple(r.field("aliases").texts(limit=MAX_SMALL_LIST)),
        description=r.field("description").optional_text(),
    )


def _agreement(r: Reader, catalog: Catalog) -> Agreement:
    r.mapping(
        required=("id", "type", "parties", "events"),
        optional=(
            "title",
            "signatories",
            "scope",
            "caveats",
            "capabilities",
            "entry_into_force",
            "note",
        ),
    )
    type_field = r.field("type")
    agreement_type = type_field.build(catalog.resolve, type_field.text())
    parties = [
        p.build(nation_code, p.text())
        for p in r.field("parties").items(limit=MAX_SMALL_LIST, optional=False)
    ]
    entry = r.field("entry_into_force")
    return r.build(
        Agreement,
        id=r.field("id").build(slug, r.field("id").text(), "agreement id"),
        type=agreement_type.code,
        title=r.field("title").optional_text(),
        parties=tuple(sorted(parties)),
        signatories=tuple(
            _signatory(s) for s in r.field("signatories").items(limit=MAX_SMALL_LIST)
        ),
        scope=frozenset(
            a.build(activity, a.text()) for a in r.field("scope").items(limit=MAX_SMALL_LIST)
        ),
        caveats=tuple(_caveat(c) for c in r.field("caveats").items(limit=MAX_SMALL_LIST)),
        extra_capabilities=frozenset(r.field("capabilities").texts(limit=MAX_SMALL_LIST)),
        entry_into_force=entry.build(EntryIntoForce, entry.text())
        if r.has("entry_into_force")
        else EntryIntoForce.ON_SIGNATURE,
        events=tuple(_event(e) for e in r.field("events").items(limit=MAX_ITEMS, optional=False)),
        note=r.field("note").optional_text(),
    )


def _signatory(r: Reader) -> Signatory:
    r.mapping(required=("organisation", "nation"))
    nation = r.field("nation")
    return r.build(
        Signatory,
        organisation=r.field("organisation").text(),
        nation=nation.build(nation_code, nation.text()),
    )


def _caveat(r: Reader) -> Caveat:
    r.mapping(required=("code",), optional=("text", "survives_end"))
    return r.build(
        Caveat,
        code=r.field("code").text(),
        text=r.field("text").optional_text(),
        survives_end=r.field("survives_end").flag(),
    )


def read_grade(r: Reader, default: Grade = DEFAULT_READING) -> Grade:
    """An evidence grade (absent: ``default``, the seeds' reading of a fact: reported)."""
    return default if r.value is None else r.choice(Grade, "evidence grade")


def _event(r: Reader) -> Event:
    r.mapping(required=("kind", "date"), optional=("term", "sources", "note", "grade"))
    kind = r.field("kind")
    term = r.field("term")
    return r.build(
        Event,
        kind=kind.build(event_kind, kind.text()),
        date=read_date(r.field("date")),
        term=term.build(TermSpec.parse, term.text()) if r.has("term") else None,
        sources=tuple(r.field("sources").texts(limit=MAX_SMALL_LIST)),
        note=r.field("note").optional_text(),
        grade=read_grade(r.field("grade")),
    )


def _designation(r: Reader) -> Designation:
    r.mapping(required=("nation", "by", "title", "date", "sources"), optional=("grade",))
    return r.build(
        Designation,
        nation=r.field("nation").build(nation_code, r.field("nation").text()),
        by=r.field("by").build(nation_code, r.field("by").text()),
        title=r.field("title").text(),
        date=read_date(r.field("date")),
        sources=tuple(r.field("sources").texts(limit=MAX_SMALL_LIST)),
        grade=read_grade(r.field("grade")),
    )


def _unknown(r: Reader, catalog: Catalog) -> UnknownAgreement:
    r.mapping(required=("type", "parties", "reason", "sources"), optional=("grade",))
    kind = r.field("type")
    parties = r.field("parties")
    return r.build(
        UnknownAgreement,
        type=kind.build(catalog.resolve, kind.text()).code,
        parties=tuple(sorted(parties.build(nation_code, p) for p in parties.texts(limit=2))),
        reason=r.field("reason").text(),
        sources=tuple(r.field("sources").texts(limit=MAX_SMALL_LIST)),
        grade=read_grade(r.field("grade")),
    )


def _measure(r: Reader) -> Measure:
    r.mapping(
        required=("nation", "by", "kind", "title", "start", "sources"), optional=("end", "grade")
    )
    return r.build(
        Measure,
        nation=r.field("nation").build(nation_code, r.field("nation").text()),
        by=r.field("by").build(nation_code, r.field("by").text()),
        kind=r.field("kind").text(),
        title=r.field("title").text(),
        start=read_date(r.field("start")),
        end=read_date(r.field("end")) if r.has("end") else None,
        sources=tuple(r.field("sources").texts(limit=MAX_SMALL_LIST)),
        grade=read_grade(r.field("grade")),
    )


def measure_to_dict(measure: Measure) -> dict[str, Any]:
    out: dict[str, Any] = {
        "nation": measure.nation,
        "by": measure.by,
        "kind": measure.kind,
        "title": measure.title,
        "start": str(measure.start),
        "sources": list(measure.sources),
        "grade": measure.grade.value,
    }
    if measure.end is not None:
        out["end"] = str(measure.end)
    return out


def unknown_to_dict(unknown: UnknownAgreement) -> dict[str, Any]:
    return {
        "type": unknown.type,
        "parties": list(unknown.parties),
        "reason": unknown.reason,
        "sources": list(unknown.sources),
        "grade": unknown.grade.value,
    }


def _milestone(r: Reader) -> Milestone:
    r.mapping(required=("nations", "date", "text", "sources"))
    nations = [
        n.build(nation_code, n.text())
        for n in r.field("nations").items(limit=MAX_SMALL_LIST, optional=False)
    ]
    return r.build(
        Milestone,
        nations=tuple(sorted(nations)),
        date=read_date(r.field("date")),
        text=r.field("text").text(),
        sources=tuple(r.field("sources").texts(limit=MAX_SMALL_LIST)),
    )


def read_date(r: Reader) -> FuzzyDate:
    return r.build(FuzzyDate.parse, r.text())


def source_to_dict(source: Source) -> dict[str, Any]:
    out: dict[str, Any] = {"id": source.id, "title": source.title}
    if source.publisher:
        out["publisher"] = source.publisher
    if source.url:
        out["url"] = source.url
    if source.date:
        out["date"] = str(source.date)
    return out


def _type_dict(agreement_type: AgreementType) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": agreement_type.code,
        "name": agreement_type.name,
        "capabilities": sorted(agreement_type.capabilities),
    }
    if agreement_type.aliases:
        out["aliases"] = list(agreement_type.aliases)
    if agreement_type.description:
        out["description"] = agreement_type.description
    return out


def _caveat_dict(caveat: Caveat) -> dict[str, Any]:
    out: dict[str, Any] = {"code": caveat.code}
    if caveat.text:
        out["text"] = caveat.text
    if caveat.survives_end:
        out["survives_end"] = True
    return out

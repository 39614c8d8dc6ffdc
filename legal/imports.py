"""Import of rights data from CSV or JSON, validated as a whole before anything is written.

CSV: one file, a `type` column saying what each row is, and the columns that type uses:

    type,name,kind,ipi,title,iswc,recordings,isrc,party,share,composition,role,performance_share,mechanical_share
    party,Ada Lovelace,person,00014107338,...
    composition,,,,Harbour Lights,T-034.524.680-1,GBAYE6900531;GBAYE6900532,...
    master_share,,,,,,,GBAYE6900531,00014107338,100,...
    publishing_share,,,,,,,,Ada Lovelace,,T0345246801,writer,50,100

JSON: `{"parties": [...], "compositions": [...], "master_shares": [...],
"publishing_shares": [...]}`, each row an object with the same fields.

Rows name a party by its IPI or its exact name, a composition by its ISWC, a recording by its
ISRC (in the organisation's catalogues); parties and compositions may be in the same file or
already stored. The shares in a file for one recording (or composition) are its complete set:
they replace what is stored, so they must sum to 100% per right, checked once the whole file
is read. Any invalid row and nothing is imported, unless `skip_invalid`: then the valid rows
are, and the report lists the skipped ones (a recording's shares go in whole or not at all).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import Organisation
from config.errors import ApplicationError, InvalidInputError
from legal import services
from legal.identifiers import ipi_normalise, isrc_normalise, iswc_normalise
from legal.models import Composition, Party
from legal.selectors import composition_list, party_list, recording_list
from legal.shares import share_parse, shares_check

KINDS = ("party", "composition", "master_share", "publishing_share")
SECTIONS = {"parties": "party", "compositions": "composition"} | {
    "master_shares": "master_share",
    "publishing_shares": "publishing_share",
}
MESSAGE_INVALID_IMPORT = "Some rows are invalid; nothing was imported."
MESSAGE_UNREADABLE = "The file is not a readable rights CSV or JSON document."


class InvalidImportError(ApplicationError):
    code = "invalid_import"
    status = 400
    default_message = MESSAGE_INVALID_IMPORT


@dataclass
class Row:
    number: int  # CSV: the line in the file; JSON: the position in its list, from 1
    kind: str
    values: dict[str, Any]


@dataclass
class Report:
    errors: list[dict] = field(default_factory=list)
    imported: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    skip_invalid: bool = False

    def fail(self, row: Row, field_name: str, code: str, message: str) -> None:
        entry = {"row": row.number, "type": row.kind, "field": field_name, "code": code, "message": message}
        self.errors.append(entry)

    def as_dict(self) -> dict:
        invalid = bool(self.errors) and not self.skip_invalid
        return {
            "valid": not self.errors,
            "imported": dict.fromkeys(SECTIONS, 0) if invalid else self.imported,
            "skipped": len({(e["type"], e["row"]) for e in self.errors}) if self.skip_invalid else 0,
            "errors": self.errors,
        }


def rows_from_bytes(data: bytes, *, name: str = "") -> list[Row]:
    """CSV or JSON, by the name's suffix, else by the first character."""
    # UnicodeDecodeError is a ValueError; RecursionError is how json answers deep nesting.
    try:
        text = data.decode("utf-8-sig", errors="strict")
        is_json = name.lower().endswith(".json") or (
            not name.lower().endswith(".csv") and text.lstrip()[:1] == "{"
        )
        return rows_from_document(json.loads(text, parse_float=Decimal)) if is_json else _csv_rows(text)
    except (ValueError, RecursionError, csv.Error) as exc:
        raise InvalidInputError(MESSAGE_UNREADABLE, detail={"reason": str(exc)[:200]}) from None


def rows_from_document(document: object) -> list[Row]:
    if not isinstance(document, dict) or set(document) - set(SECTIONS):
        raise InvalidInputError(MESSAGE_UNREADABLE, detail={"sections": list(SECTIONS)})
    rows = []
    for section, kind in SECTIONS.items():
        items = document.get(section, [])
        if not isinstance(items, list):
            raise InvalidInputError(MESSAGE_UNREADABLE, detail={section: "expected a list"})
        rows += [Row(n, kind, item if isinstance(item, dict) else {}) for n, item in enumerate(items, 1)]
    return rows


def _csv_rows(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    if "type" not in (reader.fieldnames or []):
        raise ValueError("the CSV has no 'type' column")
    return [
        Row(reader.line_num, (values.get("type") or "").strip(), {k: v for k, v in values.items() if k})
        for values in reader
    ]


def _text(row: Row, name: str) -> str:
    value = row.values.get(name)
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _checked(field_name: str, normalise, value):
    """An identifier's canonical form; an error names the column it came from."""
    try:
        return normalise(value)
    except ApplicationError as exc:
        exc.field = field_name  # type: ignore[attr-defined]
        raise


class _Validator:
    """Checks every row against the file and the database; keeps what the valid rows make."""

    def __init__(self, organisation: Organisation, report: Report) -> None:
        self.organisation, self.report = organisation, report
        self.parties: dict[str, Party | dict] = {}
        for party in party_list(organisation=organisation):
            self.parties.setdefault(party.name, party)
            if party.ipi:
                self.parties[party.ipi] = party
        self.compositions: dict[str, Composition | dict] = {
            c.iswc: c for c in composition_list(organisation=organisation).exclude(iswc="")
        }
        self.recordings = {
            r.isrc: r
            for r in recording_list(organisation=organisation).exclude(isrc="").order_by("created_at")
        }
        self.valid: dict[str, list[tuple[Row, dict]]] = defaultdict(list)
        self.plain_parties: set[tuple[str, str]] = set()  # made in this file without an IPI

    def run(self, rows: list[Row]) -> None:
        for kind in KINDS:  # parties and compositions first: shares refer to them
            for row in (r for r in rows if r.kind == kind):
                self._one(row)
        for row in (r for r in rows if r.kind not in KINDS):
            self.report.fail(row, "type", "invalid_type", f"type is one of {', '.join(KINDS)}")
        self._sums()

    def _one(self, row: Row) -> None:
        try:
            self.valid[row.kind].append((row, getattr(self, f"_{row.kind}")(row)))
        except ApplicationError as exc:
            name = getattr(exc, "field", None) or next(iter(exc.detail), "")
            self.report.fail(row, name, exc.code, exc.message)

    def _party(self, row: Row) -> dict:
        name, kind = _text(row, "name"), _text(row, "kind")
        if not name or kind not in Party.Kind.values:
            raise InvalidInputError(
                "A party needs a name and a kind (person or company).", detail={"kind": kind}
            )
        ipi = _checked("ipi", ipi_normalise, _text(row, "ipi")) if _text(row, "ipi") else ""
        duplicate = self.parties.get(ipi) if ipi else None
        duplicate = duplicate or services.party_duplicate_of(
            organisation=self.organisation, name=name, kind=kind, ipi=ipi
        )
        plain = (name.lower(), kind)
        if duplicate is not None or (not ipi and plain in self.plain_parties):
            raise services.PartyExistsError(detail={"name": name, "ipi": ipi})
        if not ipi:
            self.plain_parties.add(plain)
        made = {"name": name, "kind": kind, "ipi": ipi}
        self.parties[name] = made
        if ipi:
            self.parties[ipi] = made
        return made

    def _composition(self, row: Row) -> dict:
        title = _text(row, "title")
        if not title:
            raise InvalidInputError("A composition needs a title.", detail={"title": ""})
        iswc = _checked("iswc", iswc_normalise, _text(row, "iswc"))
        if iswc in self.compositions:
            raise services.CompositionExistsError(detail={"iswc": iswc})
        recordings = [
            self._recording(isrc)
            for isrc in _text(row, "recordings").replace(",", ";").split(";")
            if isrc.strip()
        ]
        made = {"title": title, "iswc": iswc, "recordings": recordings}
        self.compositions[iswc] = made
        return made

    def _recording(self, isrc: str):
        recording = self.recordings.get(_checked("isrc", isrc_normalise, isrc))
        if recording is None:
            raise services.UnknownRecordingError(detail={"isrc": isrc})
        return recording

    def _party_ref(self, row: Row):
        ref = _text(row, "party")
        party = self.parties.get(ref) or self.parties.get(ref.replace(" ", ""))
        if party is None:
            raise services.UnknownPartyError(detail={"party": ref})
        return party

    def _master_share(self, row: Row) -> dict:
        recording = self._recording(_text(row, "isrc"))
        return {
            "recording": recording,
            "party": self._party_ref(row),
            "share": share_parse(row.values.get("share")),
        }

    def _publishing_share(self, row: Row) -> dict:
        iswc = _checked("composition", iswc_normalise, _text(row, "composition"))
        if iswc not in self.compositions:
            raise InvalidInputError("No composition with this ISWC.", detail={"composition": iswc})
        role = _text(row, "role")
        if role not in ("writer", "publisher"):
            raise InvalidInputError(services.MESSAGE_ROLE, detail={"role": role})
        return {
            "composition": iswc,
            "party": self._party_ref(row),
            "role": role,
            "performance_share": share_parse(row.values.get("performance_share"), field="performance_share"),
            "mechanical_share": share_parse(row.values.get("mechanical_share"), field="mechanical_share"),
        }

    def _sums(self) -> None:
        self._group_check(
            "master_share", lambda v: v["recording"].isrc, lambda v: id(v["party"]), [("master", "share")]
        )
        self._group_check(
            "publishing_share",
            lambda v: v["composition"],
            lambda v: (id(v["party"]), v["role"]),
            [("performance", "performance_share"), ("mechanical", "mechanical_share")],
        )

    def _group_check(self, kind: str, key, holder, rights: list[tuple[str, str]]) -> None:
        """A recording's (composition's) rows in the file are its complete set of shares."""
        groups: dict[str, list[tuple[Row, dict]]] = defaultdict(list)
        for row, values in self.valid[kind]:
            groups[key(values)].append((row, values))
        for subject, members in groups.items():
            error = self._group_error(subject, members, holder, rights)
            if error is None:
                continue
            field_name, exc = error
            for row, _ in members:
                self.report.fail(row, field_name, exc.code, exc.message)
            rejected = {id(v) for _, v in members}
            self.valid[kind] = [(r, v) for r, v in self.valid[kind] if id(v) not in rejected]

    @staticmethod
    def _group_error(subject, members, holder, rights) -> tuple[str, ApplicationError] | None:
        if len({holder(v) for _, v in members}) != len(members):
            return "party", services.DuplicateShareError(detail={"subject": subject})
        for right, name in rights:
            try:
                shares_check((v[name] for _, v in members), right=right, subject=subject)
            except ApplicationError as exc:
                return name, exc
        return None


def rights_import(*, organisation: Organisation, rows: list[Row], skip_invalid: bool = False) -> Report:
    """Validate every row, then write the valid ones in one transaction, or none of them."""
    services.rights_holder_check(organisation)
    report = Report(skip_invalid=skip_invalid)
    validator = _Validator(organisation, report)
    validator.run(rows)
    if report.errors and not skip_invalid:
        return report
    with transaction.atomic():
        _write(organisation, validator.valid, report)
    return report


def _write(organisation: Organisation, valid: dict[str, list[tuple[Row, dict]]], report: Report) -> None:
    parties: dict[int, Party] = {}
    for _, values in valid["party"]:
        parties[id(values)] = services.party_create(organisation=organisation, **values)
    compositions: dict[str, Composition] = {}
    for _, values in valid["composition"]:
        compositions[values["iswc"]] = services.composition_create(
            organisation=organisation,
            title=values["title"],
            iswc=values["iswc"],
            recordings=[r.id for r in values["recordings"]],
        )

    def party(ref):
        return ref if isinstance(ref, Party) else parties[id(ref)]

    by_recording: dict[Any, list] = defaultdict(list)
    for _, values in valid["master_share"]:
        by_recording[values["recording"]].append(
            services.MasterShareInput(party=party(values["party"]), share=values["share"])
        )
    for recording, shares in by_recording.items():
        services.master_shares_replace(recording=recording, shares=shares)
    by_composition: dict[str, list] = defaultdict(list)
    for _, values in valid["publishing_share"]:
        by_composition[values["composition"]].append(
            services.PublishingShareInput(
                party=party(values["party"]),
                role=values["role"],
                performance_share=values["performance_share"],
                mechanical_share=values["mechanical_share"],
            )
        )
    for iswc, shares in by_composition.items():
        composition = compositions.get(iswc) or composition_list(organisation=organisation).get(iswc=iswc)
        services.publishing_shares_replace(composition=composition, shares=shares)
    report.imported = {section: len(valid[kind]) for section, kind in SECTIONS.items()}

"""Label compliance: does every export of an organisation's works carry the labels it must?

Each stored file is read again (not trusted from what was recorded at export): its C2PA
manifest must validate against the configured trust anchors, its GB 45438-2025 implicit
label must be present with a valid ReservedCode1 naming this export, and, where the
organisation's LabelPolicy requires it, the explicit audible cue must be in it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

from accounts.models import Organisation
from generation.models import Export
from provenance import aigc, manifests
from provenance.labels import aigc_label_valid, record_public_keys, trust_anchors_pem
from provenance.models import LabelPolicy

EXPLICIT_CUE = "explicit AI-generated audio label"  # in the manifest's action description
CSV_COLUMNS = (
    "export",
    "work",
    "title",
    "format",
    "created_at",
    "c2pa_state",
    "c2pa_failures",
    "aigc_present",
    "aigc_signature_valid",
    "explicit_label",
    "compliant",
    "reasons",
)


def label_policy_for(*, organisation: Organisation) -> LabelPolicy:
    return LabelPolicy.objects.filter(organisation=organisation).first() or LabelPolicy(
        organisation=organisation
    )


def export_list(*, organisation: Organisation, date_from: dt.date | None, date_to: dt.date | None):
    exports = Export.objects.filter(work__organisation=organisation).select_related("work")
    if date_from is not None:
        exports = exports.filter(created_at__date__gte=date_from)
    if date_to is not None:
        exports = exports.filter(created_at__date__lte=date_to)
    return exports.order_by("created_at", "id")


def label_report(
    *, organisation: Organisation, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[str, Any]:
    policy = label_policy_for(organisation=organisation)
    anchors, record_keys = trust_anchors_pem(), record_public_keys()
    rows = [
        _export_status(export, anchors, record_keys, policy.explicit_label_required)
        for export in export_list(organisation=organisation, date_from=date_from, date_to=date_to)
    ]
    return {
        "organisation": organisation.slug,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "explicit_label_required": policy.explicit_label_required,
        "exports": len(rows),
        "compliant": sum(row["compliant"] for row in rows),
        "rows": rows,
    }


def _stored(export: Export) -> bytes | None:
    try:
        with export.file.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


def _export_status(
    export: Export, anchors: bytes, record_keys: list, explicit_required: bool
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "export": str(export.id),
        "work": str(export.work_id),
        "title": export.work.title,
        "format": export.format,
        "created_at": export.created_at.isoformat(),
    }
    data = _stored(export)
    if data is None:
        return row | _unreadable("file_missing")
    if hashlib.sha256(data).hexdigest() != export.sha256:
        return row | _unreadable("file_changed")
    try:
        reading = manifests.read(data, export.format, anchors)
    except manifests.ManifestError:
        reading = manifests.ManifestReading(state="invalid", failures=["asset.corrupt"])
    label = reading.aigc() or aigc.extract(data, export.format)
    explicit = any(EXPLICIT_CUE in str(action.get("description", "")) for action in reading.actions())
    status = {
        "c2pa_state": reading.state,
        "c2pa_failures": reading.failures,
        "aigc_present": label is not None,
        "aigc_signature_valid": label is not None
        and aigc_label_valid(label, record_keys)
        and label.get("ProduceID") == str(export.id),
        "explicit_label": explicit,
    }
    reasons = _reasons(status, explicit_required)
    return row | status | {"compliant": not reasons, "reasons": reasons}


def _unreadable(reason: str) -> dict[str, Any]:
    return {
        "c2pa_state": "none",
        "c2pa_failures": [],
        "aigc_present": False,
        "aigc_signature_valid": False,
        "explicit_label": False,
        "compliant": False,
        "reasons": [reason],
    }


def _reasons(status: dict[str, Any], explicit_required: bool) -> list[str]:
    reasons = []
    if status["c2pa_state"] == "none":
        reasons.append("c2pa_missing")
    elif status["c2pa_state"] == "valid":
        reasons.append("c2pa_untrusted")
    elif status["c2pa_state"] != "trusted":
        reasons.append("c2pa_invalid")
    if not status["aigc_present"]:
        reasons.append("aigc_missing")
    elif not status["aigc_signature_valid"]:
        reasons.append("aigc_signature_invalid")
    if explicit_required and not status["explicit_label"]:
        reasons.append("explicit_label_missing")
    return reasons


def label_report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report["rows"]:
        values = row | {"c2pa_failures": " ".join(row["c2pa_failures"]), "reasons": " ".join(row["reasons"])}
        writer.writerow([values[column] for column in CSV_COLUMNS])
    return out.getvalue()

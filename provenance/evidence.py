"""Evidence bundles (the zip contract of design.md §3), built from the record and the log."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from generation.models import Export, Work
from legal.assessment import assess, assessment_html
from provenance import merkle
from provenance.bundle import BUNDLE_FORMAT
from provenance.dsse import seal, statement
from provenance.keys import active_key, private_key, public_key
from provenance.labels import trust_anchors_pem
from provenance.models import Checkpoint, ContributionEvent, KeyPurpose, SigningKey
from provenance.note import verifier_key
from provenance.selectors import DatabaseNodes, checkpoint_latest
from provenance.services import log_integrate, timestamp


@dataclass(frozen=True)
class AudioFile:
    name: str
    data: bytes


class PrefetchedNodes:
    """Every node that a set of proofs needs, read in a few queries instead of one per proof."""

    def __init__(self, wanted: Iterable[merkle.Node]) -> None:
        wanted = list(set(wanted))
        self._nodes: dict[merkle.Node, bytes] = {}
        for start in range(0, len(wanted), 5000):
            self._nodes.update(DatabaseNodes().nodes(wanted[start : start + 5000]))

    def nodes(self, wanted: Iterable[merkle.Node]) -> dict[merkle.Node, bytes]:
        return {node: self._nodes[node] for node in wanted if node in self._nodes}


def _short(take_id: object) -> str:
    return f"take {str(take_id)[:8]}"


def _describe(kind: str, payload: dict) -> str:
    """The event in words a court clerk can read; unknown kinds list their payload."""
    if kind == "selection":
        others = ", ".join(map(_short, payload.get("alternatives", []))) or "nothing else"
        return f"chose {_short(payload.get('chosen'))} over {others}"
    if kind in {"prompt", "note"}:
        return payload.get("prompt") or payload.get("text") or ""
    if kind == "parameters":
        tags = ", ".join(payload["tags"]) or "none"
        return (
            f"{payload['backend']}, tags {tags}, {payload['duration_s']:g} s, "
            f"{payload['takes']} take(s), seed {payload['seed']}"
        )
    if kind == "generation":
        env = payload["environment"]
        takes = ", ".join(f"{_short(t['id'])} ({t['duration_s']:g} s)" for t in payload["takes"])
        runtime = f"{env['device']}, torch {env['torch']}, {env['threads']} thread(s)"
        return f"{len(payload['takes'])} take(s) on {runtime}: {takes}"
    if kind == "edit":
        details = ", ".join(f"{k} {v}" for k, v in payload["parameters"].items())
        source, result = _short(payload["source"]), _short(payload["result"])
        return f"{payload['operation']} ({details}) of {source} made {result}"
    if kind == "check":
        found = ", ".join(
            f"{m['title'] or m['recording_id'][:8]} ({m['score']:.2f})" for m in payload["matches"][:3]
        )
        matched = f"{payload['matched_seconds']:g} s matched" + (f": {found}" if found else "")
        searched = f"{payload['catalogues']} catalogue(s)"
        return f"{payload['verdict'].upper()} for {_short(payload['take'])}, {matched} ({searched})"
    if kind == "export":
        return f"{payload['format'].upper()} of {_short(payload['take'])}, SHA-256 {payload['sha256'][:16]}"
    return ", ".join(f"{key}: {value}" for key, value in payload.items())


def timeline_entry(event: ContributionEvent) -> dict:
    """One row of the report: who did what, when."""
    actor = event.actor
    return {
        "seq": event.seq,
        "at": event.created_at,
        "kind": event.kind,
        "who": actor.get("user") or "SongProof",
        "role": actor.get("role"),
        "summary": _describe(event.kind, event.payload),
        "event_hash": event.event_hash,
        "log_index": event.log_index,
    }


def exported_event(event: ContributionEvent) -> dict:
    return {
        **event.parsed_body,
        "event_hash": event.event_hash,
        "signature": base64.b64encode(bytes(event.signature)).decode(),
        "log_index": event.log_index,
    }


def _proofs(events: Sequence[ContributionEvent], tree_size: int) -> list[dict]:
    ranges = {e.event_hash: merkle.inclusion_ranges(e.log_index, tree_size) for e in events}
    source = PrefetchedNodes(node for rs in ranges.values() for r in rs for node in merkle.perfect_nodes(*r))
    return [
        {
            "event_hash": e.event_hash,
            "leaf_index": e.log_index,
            "tree_size": tree_size,
            "audit_path": [h.hex() for h in merkle.range_hashes(source, ranges[e.event_hash])],
        }
        for e in events
    ]


def _pem(key: SigningKey) -> bytes:
    return public_key(key).public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def _key_files(events: Sequence[ContributionEvent], signer: SigningKey) -> dict[str, bytes]:
    files = {"keys/record.pem": _pem(signer)}
    used = {e.key_id for e in events} - {signer.key_id}
    for key in SigningKey.objects.filter(key_id__in=used):
        files[f"keys/record-{key.key_id}.pem"] = _pem(key)
    log_key = SigningKey.objects.get(key_id=checkpoint_latest().key_id)
    origin = settings.SONGPROOF_LOG_ORIGIN
    files["keys/log.vkey"] = (verifier_key(origin, bytes(log_key.public_key)) + "\n").encode()
    return files


def _integrated_checkpoint() -> Checkpoint:
    while log_integrate() is not None:
        pass
    return checkpoint_latest()


def _exported_audio(events: Sequence[ContributionEvent]) -> list[AudioFile]:
    """The files of the exports that the bundle's events record (later ones wait for a later bundle)."""
    recorded = [e.payload["export"] for e in events if e.kind == "export"]
    files = []
    for export in Export.objects.filter(id__in=recorded).order_by("created_at"):
        with export.file.open("rb") as handle:
            files.append(AudioFile(f"{export.id}.{export.format}", handle.read()))
    return files


def evidence_bundle_build(*, work: Work, audio: Sequence[AudioFile] | None = None) -> bytes:
    """The work's evidence bundle; `audio` defaults to the exports its record covers."""
    checkpoint = _integrated_checkpoint()
    # Events recorded after the checkpoint wait for the next bundle: the record is a prefix
    # of the work's chain that the checkpoint covers entirely.
    events = list(
        ContributionEvent.objects.filter(work=work, log_index__lt=checkpoint.tree_size).order_by("seq")
    )
    audio = _exported_audio(events) if audio is None else audio
    signer = active_key(KeyPurpose.RECORD)
    work_summary = {"id": str(work.id), "title": work.title, "organisation": work.organisation.name}
    files: dict[str, bytes] = {f"audio/{a.name}": a.data for a in audio}
    # The assessment covers exactly the bundle's events, so a reader can check it against them.
    assessment = assess(events, work=work_summary)
    files["assessment.json"] = json.dumps(assessment.as_dict(), indent=2, ensure_ascii=False).encode()
    files["report.html"] = render_to_string(
        "provenance/report.html",
        {
            "work": work,
            "timeline": [timeline_entry(e) for e in events],
            "checkpoint": checkpoint,
            "exported_at": timezone.now(),
            # assessment_html escapes every recorded text itself.
            "assessment_html": assessment_html(assessment),
        },
    ).encode()
    subjects = [
        {"name": name, "digest": {"sha256": hashlib.sha256(data).hexdigest()}} for name, data in files.items()
    ]
    predicate = {"work": work_summary, "events": [exported_event(e) for e in events]}
    envelope = seal(
        statement(subjects=subjects, predicate=predicate),
        key_id=signer.key_id,
        private_key=private_key(signer),
    )
    files["record.dsse.json"] = json.dumps(envelope, indent=2).encode()
    files["log/checkpoint.txt"] = checkpoint.note.encode()
    files["log/proofs.json"] = json.dumps(_proofs(events, checkpoint.tree_size), indent=1).encode()
    files.update(_key_files(events, signer))
    files["keys/c2pa-anchors.pem"] = trust_anchors_pem()
    manifest = {
        "format": BUNDLE_FORMAT,
        "work": work_summary,
        "created_at": timestamp(timezone.now()),
        "log": {"origin": settings.SONGPROOF_LOG_ORIGIN, "tree_size": checkpoint.tree_size},
        "files": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in sorted(files.items())
        ],
    }
    return _zip({"manifest.json": json.dumps(manifest, indent=2).encode(), **files})


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()

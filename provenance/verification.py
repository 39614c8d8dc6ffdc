"""Verifying a file someone holds: an exported song (signed, or stripped and re-encoded) or an
evidence bundle. What the answer reveals depends on who asks: the organisation that owns the
work sees its record; anyone else sees the public summary of the labels.

Audio with a C2PA manifest is judged by the manifest (against the configured trust anchors).
Audio without one, the usual fate of a re-encoded or re-uploaded copy, is fingerprinted and
looked up in the exports index (the soft binding); the export found is then described by its
stored signed file's manifest.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from accounts.models import Organisation
from config.errors import InvalidInputError
from generation.models import Export
from provenance import aigc, manifests
from provenance.bundle import BundleError, read_bundle
from provenance.exports_index import exports_index
from provenance.labels import aigc_label_valid, trust_anchors_pem
from provenance.models import ContributionEvent
from provenance.selectors import signing_keys
from provenance.verify import verify_bundle
from similarity.fingerprint import PLAIN, AudioError, fingerprint

logger = logging.getLogger(__name__)

SUPPORTED_FORMATS = tuple(manifests.MIME)
MESSAGE_EMPTY = "The uploaded file is empty."
MESSAGE_NOT_AUDIO = "The file is neither audio nor an evidence bundle."
MESSAGE_UNSUPPORTED = "C2PA verification supports WAV, FLAC, MP3 and M4A audio, and evidence bundles (zip)."
MESSAGE_BAD_BUNDLE = "The zip is not a readable evidence bundle."
ASSET_CORRUPT = "asset.corrupt"  # the container holding a manifest cannot be parsed (truncated)
JUMBF_MARKERS = (b"jumb", b"c2pa")
SOFT_BINDING_MIN_SCORE = manifests.SOFT_BINDING_MIN_SCORE
TIE = 0.005  # identical audio exported twice (the same seed) scores the same


class EmptyUploadError(InvalidInputError):
    code = "empty_file"
    default_message = MESSAGE_EMPTY


class NotAudioError(InvalidInputError):
    code = "not_audio"
    default_message = MESSAGE_NOT_AUDIO


class UnsupportedFormatError(InvalidInputError):
    code = "unsupported_format"
    default_message = MESSAGE_UNSUPPORTED


class InvalidBundleError(InvalidInputError):
    code = "invalid_bundle"
    default_message = MESSAGE_BAD_BUNDLE


# Containers c2pa cannot carry a manifest in (field-notes.md), recognised by their magic.
_UNSUPPORTED_MAGIC = (
    (b"OggS", "ogg"),
    (b"\x1aE\xdf\xa3", "matroska/webm"),
    (b"caff", "caf"),
    (b"#!AMR", "amr"),
)


def audio_format(data: bytes) -> str:
    """wav, flac, mp3 or m4a, from the file's first bytes; the errors name what it is instead."""
    head = data[:12]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:3] == b"ID3":
        # An ID3 tag leads MP3s, and also FLACs that c2pa-rs labelled: look behind it.
        behind = data[_id3_size(head) :]
        return "flac" if behind[:4] == b"fLaC" else "mp3"
    if head[4:8] == b"ftyp":
        return "m4a"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # Frame sync: MPEG audio layers 1-3 have a non-zero layer; ADTS AAC has layer 00.
        if (head[1] >> 1) & 0x3:
            return "mp3"
        raise _unsupported("aac")
    for magic, name in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise _unsupported(name)
    if head[:4] == b"FORM" and head[8:11] == b"AIF":
        raise _unsupported("aiff")
    try:
        fingerprint(data)  # decodable audio in a container we do not know
    except AudioError as exc:
        raise NotAudioError(detail={"reason": str(exc)}) from None
    raise _unsupported("unknown")


def _id3_size(head: bytes) -> int:
    size = 0
    for byte in head[6:10]:  # "syncsafe": 7 bits a byte
        size = size << 7 | (byte & 0x7F)
    footer = 10 if len(head) > 5 and head[5] & 0x10 else 0
    return 10 + size + footer


def _unsupported(name: str) -> UnsupportedFormatError:
    return UnsupportedFormatError(detail={"format": name, "supported": [*SUPPORTED_FORMATS, "zip"]})


def file_verify(*, data: bytes, viewer: Organisation | None, full: bool = False) -> dict[str, Any]:
    """The verdict on one uploaded file. `viewer` is the caller's organisation (None when
    anonymous); `full` shows the whole record whoever owns it (the operator's CLI)."""
    if not data:
        raise EmptyUploadError()
    if data[:4] == b"PK\x03\x04":
        return _bundle_verify(data)
    fmt = audio_format(data)
    reading = _manifest_reading(data, fmt)
    if reading is not None:
        return _verdict_from_manifest(data, fmt, reading, viewer, full)
    return _verdict_from_soft_binding(data, fmt, viewer, full)


def _bundle_verify(data: bytes) -> dict[str, Any]:
    try:
        files = read_bundle(data)
    except BundleError as exc:
        raise InvalidBundleError(detail={"reason": str(exc)}) from None
    # We are the service whose keys the bundle should carry: pin them.
    report = verify_bundle(files, {bytes(key.public_key) for key in signing_keys()})
    return {"input": "evidence_bundle", "recovered_by": None, "work": None} | report.as_dict()


def _manifest_reading(data: bytes, fmt: str) -> manifests.ManifestReading | None:
    """The file's manifest, or None when it has none (or its container is unreadable and
    carries no manifest either: then the fingerprint decides)."""
    try:
        reading = manifests.read(data, fmt, trust_anchors_pem())
    except manifests.ManifestError as exc:
        if all(marker in data for marker in JUMBF_MARKERS):
            return manifests.ManifestReading(state="invalid", failures=[ASSET_CORRUPT], error=str(exc))
        logger.info("no readable C2PA in a %s upload: %s", fmt, exc)
        return None
    return None if reading.state == "none" else reading


def _verdict(fmt: str, recovered_by: str | None, **parts: Any) -> dict[str, Any]:
    base = {"input": "audio", "format": fmt, "recovered_by": recovered_by}
    return base | {"c2pa": None, "aigc": None, "match": None, "work": None} | parts


def _verdict_from_manifest(data, fmt, reading, viewer, full) -> dict[str, Any]:
    # Only a manifest that chains to our anchors is believed about which export it is.
    export = _export_named(reading) if reading.state == "trusted" else None
    return _verdict(
        fmt,
        "manifest",
        c2pa=_c2pa_summary(reading),
        aigc=_aigc_summary(reading.aigc() or _container_label(data, fmt)),
        work=None if export is None else _work_view(export, reading, viewer, full),
    )


def _verdict_from_soft_binding(data, fmt, viewer, full) -> dict[str, Any]:
    try:
        query = fingerprint(data)
    except AudioError as exc:
        raise NotAudioError(detail={"reason": str(exc)}) from None
    found = _best_export(query.values, viewer)
    if found is None:
        return _verdict(fmt, None)
    export, match = found
    with export.file.open("rb") as handle:
        original = manifests.read(handle.read(), export.format, trust_anchors_pem())
    return _verdict(
        fmt,
        "soft_binding",
        c2pa=_c2pa_summary(original),
        aigc=_aigc_summary(original.aigc()),
        match={
            "export": str(export.id),
            "score": match.score,
            "query_start_s": match.query_start_s,
            "reference_start_s": match.reference_start_s,
            "duration_s": match.duration_s,
        },
        work=_work_view(export, original, viewer, full),
    )


def _best_export(values, viewer: Organisation | None):
    """The best-scoring export above the threshold whose row still exists. Among exports of
    the same audio (tied scores): the viewer's own, then the earliest (the original)."""
    matches = exports_index().search({PLAIN: values}, limit=5, min_score=SOFT_BINDING_MIN_SCORE)
    keys = [match.recording for match in matches]
    exports = Export.objects.select_related("work").in_bulk(keys, field_name="index_key")
    found = [(exports[m.recording], m) for m in matches if m.recording in exports]
    if not found:
        return None
    best = max(match.score for _, match in found)
    tied = [(export, match) for export, match in found if match.score >= best - TIE]
    viewer_id = viewer.id if viewer is not None else None
    return min(tied, key=lambda pair: (pair[0].work.organisation_id != viewer_id, pair[0].created_at))


def _export_named(reading: manifests.ManifestReading) -> Export | None:
    record = reading.record() or {}
    export = Export.objects.select_related("work").filter(pk=_uuid(record.get("export"))).first()
    return export if export is not None and str(export.work_id) == record.get("work") else None


def _uuid(value: Any):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _c2pa_summary(reading: manifests.ManifestReading) -> dict[str, Any]:
    return {
        "state": reading.state,
        "failures": reading.failures,
        "actions": reading.actions(),
        "active_manifest": reading.active_manifest,
        "error": reading.error,
    }


def _container_label(data: bytes, fmt: str) -> dict[str, str] | None:
    try:
        return aigc.extract(data, fmt)
    except (aigc.LabelError, ValueError) as exc:
        logger.info("unreadable AIGC label in a %s upload: %s", fmt, exc)
        return None


def _aigc_summary(label: dict[str, str] | None) -> dict[str, Any] | None:
    return None if label is None else label | {"signature_valid": aigc_label_valid(label)}


def _training_use(reading: manifests.ManifestReading) -> str | None:
    entries = (reading.assertion("cawg.training-mining") or {}).get("entries", {})
    return entries.get("cawg.ai_generative_training", {}).get("use")


def _work_view(export: Export, reading, viewer: Organisation | None, full: bool) -> dict[str, Any]:
    """The public summary; the whole record when the viewer's organisation owns the work."""
    label = reading.aigc() or {}
    sources = [a.get("digitalSourceType") for a in reading.actions()]
    agents = [a["softwareAgent"].get("name") for a in reading.actions() if a.get("softwareAgent")]
    public = {
        "view": "public",
        "ai_generated": label.get("Label") == aigc.LABEL_GENERATED
        or any(s in (manifests.SOURCE_GENERATED, manifests.SOURCE_EDITED) for s in sources),
        "producer": label.get("ContentProducer") or settings.SONGPROOF_AIGC_PRODUCER,
        "software_agent": agents[0] if agents else None,
        "export": {"id": str(export.id), "created_at": export.created_at.isoformat()},
        "c2pa_state": reading.state,
        "training_mining": _training_use(reading),
    }
    if not full and (viewer is None or viewer.id != export.work.organisation_id):
        return public
    return public | {
        "view": "full",
        "id": str(export.work_id),
        "title": export.work.title,
        "export": public["export"]
        | {"format": export.format, "sha256": export.sha256, "take": str(export.take_id)},
        "record": _record_view(export, reading.record() or {}),
    }


def _record_view(export: Export, record: dict[str, Any]) -> dict[str, Any]:
    head = record.get("head") or {}
    events = ContributionEvent.objects.filter(work_id=export.work_id, seq__lte=head.get("seq") or 0)
    events = list(events.order_by("seq"))
    return {
        "head": head,
        "digest": head.get("event_hash"),
        "head_in_record": bool(events) and events[-1].event_hash == head.get("event_hash"),
        "checkpoint": record.get("checkpoint"),
        "events": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "actor": e.actor,
                "payload": e.payload,
                "created_at": e.created_at.isoformat(),
                "event_hash": e.event_hash,
                "log_index": e.log_index,
            }
            for e in events
        ],
    }


def verdict_exit_status(verdict: dict[str, Any]) -> int:
    """0 when something verified or was recovered, 1 when invalid or not found (the CLI's)."""
    if verdict["input"] == "evidence_bundle":
        return 0 if verdict["ok"] else 1
    if verdict["recovered_by"] == "manifest":
        return 0 if verdict["c2pa"]["state"] in ("trusted", "valid") else 1
    return 0 if verdict["recovered_by"] == "soft_binding" else 1

"""Offline verifier: `python -m provenance.verify PATH [--json] [--trust KEYS.json] [--trust-anchors PEM]`.

Needs no database, server or Django: the standard library, `cryptography`, and c2pa-python
for the audio files' C2PA manifests. A bundle
carries its own public keys, so on its own it proves internal consistency; `--trust` pins
the service's published keys (the JSON of /api/keys/), and every key in the bundle must then
be one of them. PATH may also be one audio file (WAV, FLAC, MP3, M4A): its C2PA manifest is
validated, against `--trust-anchors` (the service's C2PA root, as a bundle's
keys/c2pa-anchors.pem) when given, and its AIGC label's ReservedCode1 against the `--trust`
keys. Exit status 0 only when every check passes; 1 when one fails; 2 when the input cannot
be read as a bundle or as audio.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from provenance import merkle
from provenance.aigc import FORMATS
from provenance.bundle import BUNDLE_FORMAT, read_bundle
from provenance.canonical import CanonicalizationError
from provenance.dsse import PREDICATE_TYPE, STATEMENT_TYPE, EnvelopeError, open_envelope
from provenance.note import NoteError, open_note, parse_checkpoint, parse_verifier_key, raw_public_key
from provenance.record import canonical_body, event_hash, event_signature_valid, key_id_for


def record_key_id(public_key: bytes) -> str:
    return key_id_for("record", public_key)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    keys_pinned: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "keys_pinned": self.keys_pinned, "checks": [asdict(c) for c in self.checks]}


@dataclass
class Bundle:
    files: Mapping[str, bytes]
    record_keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    statement: dict[str, Any] = field(default_factory=dict)


def verify_bundle(files: Mapping[str, bytes], trusted: set[bytes] | None = None) -> Report:
    report = Report()
    bundle = Bundle(files)
    _check_manifest(bundle, report)
    if not _load_record_keys(bundle, report):
        return report
    log_key = _load_log_key(bundle, report)
    if trusted is not None:
        _check_pinned(bundle, log_key, trusted, report)
    if not _check_envelope(bundle, report):
        return report
    _check_subjects(bundle, report)
    _check_c2pa(bundle, report)
    events = _check_events(bundle, report)
    checkpoint = _check_checkpoint(bundle, log_key, report)
    if checkpoint is not None and events:
        _check_inclusion(bundle, events, checkpoint, report)
    return report


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(bundle: Bundle, name: str, report: Report) -> Any:
    try:
        return json.loads(bundle.files[name])
    except ValueError as exc:
        report.add(f"{name}.json", False, f"not JSON: {exc}")
        return None


def _check_manifest(bundle: Bundle, report: Report) -> None:
    manifest = _json(bundle, "manifest.json", report)
    if not isinstance(manifest, dict):
        return
    report.add(
        "manifest.format", manifest.get("format") == BUNDLE_FORMAT, f"format {manifest.get('format')!r}"
    )
    listed = {entry.get("path"): entry.get("sha256") for entry in manifest.get("files", [])}
    for path in sorted(set(bundle.files) - {"manifest.json"} - set(listed)):
        report.add(f"manifest.file[{path}]", False, "in the bundle but not listed in the manifest")
    bad = [
        path
        for path, digest in listed.items()
        if path not in bundle.files or _sha256(bundle.files[path]) != digest
    ]
    for path in bad:
        report.add(f"manifest.file[{path}]", False, "missing, or its SHA-256 differs from the manifest")
    if not bad:
        report.add("manifest.files", True, f"{len(listed)} files match their SHA-256")


def _load_record_keys(bundle: Bundle, report: Report) -> bool:
    for name, data in sorted(bundle.files.items()):
        if not (name.startswith("keys/record") and name.endswith(".pem")):
            continue
        try:
            key = load_pem_public_key(data)
        except ValueError as exc:
            return report.add(f"keys[{name}]", False, f"not a PEM public key: {exc}")
        if not isinstance(key, Ed25519PublicKey):
            return report.add(f"keys[{name}]", False, "not an Ed25519 key")
        bundle.record_keys[record_key_id(raw_public_key(key))] = key
    return report.add(
        "keys.record", True, f"{len(bundle.record_keys)} record key(s): {', '.join(bundle.record_keys)}"
    )


def _load_log_key(bundle: Bundle, report: Report):
    try:
        verifier = parse_verifier_key(bundle.files["keys/log.vkey"].decode())
    except (NoteError, UnicodeDecodeError) as exc:
        report.add("keys.log", False, str(exc))
        return None
    report.add("keys.log", True, f"log key {verifier.name}+{verifier.key_id.hex()}")
    return verifier


def _check_pinned(bundle: Bundle, log_key, trusted: set[bytes], report: Report) -> None:
    report.keys_pinned = True
    keys = {name: raw_public_key(key) for name, key in bundle.record_keys.items()}
    if log_key is not None:
        keys[f"log {log_key.name}"] = log_key.public_key
    unknown = [name for name, raw in keys.items() if raw not in trusted]
    report.add(
        "keys.pinned",
        not unknown,
        f"not among the trusted keys: {', '.join(unknown)}"
        if unknown
        else f"all {len(keys)} keys are trusted",
    )


def _check_envelope(bundle: Bundle, report: Report) -> bool:
    envelope = _json(bundle, "record.dsse.json", report)
    if not isinstance(envelope, dict):
        return False
    record_pem = load_pem_public_key(bundle.files["keys/record.pem"])
    signer = record_key_id(raw_public_key(record_pem))
    try:
        _, statement = open_envelope(envelope, {signer: record_pem})
    except EnvelopeError as exc:
        report.add("dsse.signature", False, str(exc))
        # Go on with the unverified payload, so each tampered part is named too.
        try:
            statement = json.loads(base64.b64decode(envelope.get("payload", "")))
        except (ValueError, binascii.Error):
            return False
    else:
        report.add("dsse.signature", True, f"signed by {signer}")
    if not isinstance(statement, dict):
        return report.add("statement.type", False, "payload is not an object")
    bundle.statement = statement
    typed = statement.get("_type") == STATEMENT_TYPE and statement.get("predicateType") == PREDICATE_TYPE
    return report.add("statement.type", typed, f"{statement.get('_type')} / {statement.get('predicateType')}")


def _check_subjects(bundle: Bundle, report: Report) -> None:
    subjects = {s.get("name"): s.get("digest", {}).get("sha256") for s in bundle.statement.get("subject", [])}
    for name, digest in sorted(subjects.items()):
        data = bundle.files.get(name)
        matches = data is not None and _sha256(data) == digest
        report.add(
            f"subject[{name}]", matches, "SHA-256 matches" if matches else "missing or SHA-256 differs"
        )
    # Every file a reader relies on must be signed: the audio, the report, the assessment.
    signed = {"report.html"} | ({"assessment.json"} & set(bundle.files))
    expected = {name for name in bundle.files if name.startswith("audio/")} | signed
    unsigned = sorted(expected - set(subjects))
    report.add(
        "subjects.coverage",
        not unsigned,
        f"not covered by the signed statement: {', '.join(unsigned)}"
        if unsigned
        else "every file is a subject",
    )


AUDIO_FORMATS = FORMATS


def _check_c2pa(bundle: Bundle, report: Report) -> None:
    """Each exported file's C2PA manifest validates and chains to the bundled trust anchor."""
    from provenance import aigc, manifests  # c2pa loads a native library: only when needed

    audio = sorted(name for name in bundle.files if name.startswith("audio/"))
    if not audio:
        return
    anchors = bundle.files.get("keys/c2pa-anchors.pem")
    if anchors is None:
        report.add("c2pa.anchors", False, "keys/c2pa-anchors.pem is missing")
    for name in audio:
        fmt = name.rsplit(".", 1)[-1].lower()
        if fmt not in AUDIO_FORMATS:
            report.add(f"c2pa[{name}]", False, f"not a labelled audio format ({fmt})")
            continue
        try:
            reading = manifests.read(bundle.files[name], fmt, anchors)
        except manifests.ManifestError as exc:
            report.add(f"c2pa[{name}]", False, str(exc))
            continue
        report.add(f"c2pa[{name}]", *_c2pa_outcome(reading, anchors))
        label = reading.aigc()
        if label is not None:
            signed = aigc.label_signature_valid(label, bundle.record_keys.values())
            report.add(
                f"aigc[{name}]",
                signed,
                "ReservedCode1 verifies with a record key" if signed else "ReservedCode1 does not verify",
            )


def _check_events(bundle: Bundle, report: Report) -> list[dict]:
    predicate = bundle.statement.get("predicate", {})
    events = predicate.get("events", [])
    work_id = predicate.get("work", {}).get("id")
    if not events:
        report.add("events", False, "the record has no events")
        return []
    failures = {"hash": 0, "signature": 0, "chain": 0}
    previous_hash = None
    for position, event in enumerate(events, start=1):
        label = f"event[{position}]"
        failures["hash"] += not _event_hash_ok(event, label, report)
        failures["signature"] += not _event_signature_ok(bundle, event, label, report)
        failures["chain"] += not _event_chain_ok(event, position, previous_hash, work_id, label, report)
        previous_hash = event.get("event_hash")
    for name, count in failures.items():
        if count == 0:
            report.add(f"events.{name}", True, f"all {len(events)} events")
    return events


def _event_hash_ok(event: dict, label: str, report: Report) -> bool:
    try:
        recomputed = event_hash(canonical_body(event))
    except (KeyError, CanonicalizationError) as exc:
        return report.add(f"{label}.hash", False, f"malformed event: {exc}")
    if recomputed != event.get("event_hash"):
        return report.add(
            f"{label}.hash", False, f"body hashes to {recomputed[:16]}…, not {event.get('event_hash')}"
        )
    return True


def _event_signature_ok(bundle: Bundle, event: dict, label: str, report: Report) -> bool:
    key = bundle.record_keys.get(event.get("key_id"))
    if key is None:
        return report.add(f"{label}.signature", False, f"no key {event.get('key_id')!r} in the bundle")
    try:
        signature = base64.b64decode(event.get("signature", ""), validate=True)
    except binascii.Error:
        return report.add(f"{label}.signature", False, "signature is not base64")
    if not event_signature_valid(str(event.get("event_hash")), signature, key):
        return report.add(f"{label}.signature", False, f"does not verify with {event.get('key_id')}")
    return True


def _event_chain_ok(event: dict, position: int, previous_hash, work_id, label: str, report: Report) -> bool:
    if event.get("seq") != position:
        return report.add(f"{label}.chain", False, f"seq {event.get('seq')} where {position} was expected")
    if event.get("prev_hash") != previous_hash:
        return report.add(f"{label}.chain", False, "prev_hash is not the previous event's hash")
    if event.get("work") != work_id:
        return report.add(f"{label}.chain", False, f"belongs to work {event.get('work')}, not {work_id}")
    return True


def _check_checkpoint(bundle: Bundle, log_key, report: Report):
    if log_key is None:
        return None
    try:
        checkpoint = parse_checkpoint(open_note(bundle.files["log/checkpoint.txt"].decode(), log_key))
    except (NoteError, UnicodeDecodeError) as exc:
        report.add("checkpoint.signature", False, str(exc))
        return None
    if checkpoint.origin != log_key.name:
        report.add(
            "checkpoint.signature", False, f"origin {checkpoint.origin!r} is not the key's {log_key.name!r}"
        )
        return None
    report.add("checkpoint.signature", True, f"{checkpoint.origin}, tree size {checkpoint.size}")
    return checkpoint


def _check_inclusion(bundle: Bundle, events: list[dict], checkpoint, report: Report) -> None:
    proofs = _json(bundle, "log/proofs.json", report)
    if not isinstance(proofs, list):
        report.add("proofs", False, "log/proofs.json is not a list")
        return
    by_hash = {proof.get("event_hash"): proof for proof in proofs if isinstance(proof, dict)}
    failed = 0
    for position, event in enumerate(events, start=1):
        failed += not _event_included(
            event, by_hash.get(event.get("event_hash")), checkpoint, f"event[{position}]", report
        )
    if not failed:
        report.add(
            "events.inclusion",
            True,
            f"all {len(events)} events are in the log at tree size {checkpoint.size}",
        )


def _event_included(event: dict, proof: dict | None, checkpoint, label: str, report: Report) -> bool:
    if proof is None:
        return report.add(f"{label}.inclusion", False, "no inclusion proof")
    if proof.get("leaf_index") != event.get("log_index") or proof.get("tree_size") != checkpoint.size:
        return report.add(f"{label}.inclusion", False, "proof is for another leaf index or tree size")
    try:
        path = [bytes.fromhex(node) for node in proof.get("audit_path", [])]
        leaf = merkle.leaf_hash(bytes.fromhex(str(event.get("event_hash"))))
        merkle.verify_inclusion(int(proof["leaf_index"]), checkpoint.size, leaf, path, checkpoint.root_hash)
    except (ValueError, TypeError, KeyError) as exc:
        return report.add(f"{label}.inclusion", False, str(exc))
    return True


def _c2pa_outcome(reading, anchors: bytes | None) -> tuple[bool, str]:
    """(passes, detail) of a manifest reading: trusted, or merely valid when no anchor was given."""
    failures = f": {', '.join(reading.failures)}" if reading.failures else ""
    error = f" ({reading.error})" if reading.error else ""
    return reading.state == "trusted" or (anchors is None and reading.ok), f"{reading.state}{failures}{error}"


def verify_audio(data: bytes, fmt: str, anchors: bytes | None, trusted: set[bytes] | None) -> Report:
    """One audio file's C2PA manifest and AIGC label (ManifestError: c2pa cannot read it)."""
    from provenance import aigc, manifests

    report = Report(keys_pinned=anchors is not None)
    reading = manifests.read(data, fmt, anchors)
    if reading.state == "none":
        report.add("c2pa", False, "no C2PA manifest")
        return report
    report.add("c2pa", *_c2pa_outcome(reading, anchors))
    label = reading.aigc()
    if label is None:
        report.add("aigc", False, "no AIGC implicit label in the manifest")
    elif trusted is not None:
        keys = [Ed25519PublicKey.from_public_bytes(raw) for raw in trusted if len(raw) == 32]
        signed = aigc.label_signature_valid(label, keys)
        detail = "ReservedCode1 verifies with a trusted key" if signed else "ReservedCode1 does not verify"
        report.add("aigc", signed, detail)
    else:
        detail = f"label {label.get('Label')} by {label.get('ContentProducer')}, signature not checked"
        report.add("aigc", True, detail)
    return report


def load_trusted(path: str) -> set[bytes]:
    """Raw public keys from the JSON that /api/keys/ serves."""
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    return {base64.b64decode(key["public_key"]) for key in document["keys"]}


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _print_human(report: Report) -> None:
    for check in report.checks:
        print(f"{'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    if not report.keys_pinned:
        print("NOTE  keys not pinned: the bundle's own keys were used (pass --trust KEYS.json to pin them)")
    print("VERIFIED" if report.ok else "NOT VERIFIED")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m provenance.verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="an evidence bundle (.zip), or one audio file")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--trust", metavar="KEYS.json", help="the service's published keys (/api/keys/)")
    parser.add_argument("--trust-anchors", metavar="PEM", help="C2PA trust anchor(s), for an audio file")
    args = parser.parse_args(argv)
    try:
        trusted = load_trusted(args.trust) if args.trust else None
        anchors = _read(args.trust_anchors) if args.trust_anchors else None
        data = _read(args.path)
        fmt = args.path.rsplit(".", 1)[-1].lower()
        if fmt in AUDIO_FORMATS and not data.startswith(b"PK\x03\x04"):
            report = verify_audio(data, fmt, anchors, trusted)
        else:
            report = verify_bundle(read_bundle(data), trusted)
    except (OSError, ValueError, KeyError) as exc:  # BundleError, ManifestError: ValueErrors
        report = Report([Check("input", False, f"{args.path}: {exc}")])
        print(json.dumps(report.as_dict()) if args.json else f"FAIL  input: {args.path}: {exc}")
        return 2
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print_human(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

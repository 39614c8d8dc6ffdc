"""C2PA manifests on exported audio: what a manifest says, signing it in, reading it back.

No Django: the offline verifier (`python -m provenance.verify`) reads manifests with this
module, and the export service passes everything it needs as plain values.

c2pa objects are neither fork- nor thread-safe (field-notes.md): Signers are made lazily
in the process that signs, cached by process id; a Builder signs once and is made per call.
"""

from __future__ import annotations

import base64
import io
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import c2pa

MIME = {"wav": "audio/wav", "flac": "audio/flac", "mp3": "audio/mpeg", "m4a": "audio/mp4"}
CLAIM_GENERATOR = {"name": "SongProof", "version": "0.1.0"}
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SOURCE_GENERATED = IPTC + "trainedAlgorithmicMedia"
SOURCE_EDITED = IPTC + "compositeWithTrainedAlgorithmicMedia"
RECORD_LABEL = "com.songproof.record"
AIGC_LABEL = "com.songproof.aigc"  # data: {"AIGC": {...GB 45438-2025 Annex E fields}}
SOFT_BINDING_ALG = "com.songproof.chromaprint"
# A stripped copy is taken for an export when it scores this in the exports index: stricter
# than the catalogues' 0.80, because the builtin generator's songs share chord tables and
# bench/c2pa.py saw never-exported ones score over 0.80 against exports, while stripped MP3
# copies of exports (64 and 128 kbps) scored 0.96 and up.
SOFT_BINDING_MIN_SCORE = 0.90
PARENT_ID = "parent"
TRAINING_USES = ("allowed", "notAllowed", "constrained")
TRAINING_ENTRIES = (
    "cawg.ai_training",
    "cawg.ai_generative_training",
    "cawg.ai_inference",
    "cawg.data_mining",
)
STATES = {"Trusted": "trusted", "Valid": "valid", "Invalid": "invalid"}
# Failure codes of our own (the SDK reports these as errors, not validation results).
MANIFEST_CORRUPT = "manifest.corrupt"  # a manifest store is there but cannot be parsed or checked
# c2pa-rs error kinds that mean the manifest store itself is damaged (truncated, bytes
# changed), as opposed to an audio container c2pa cannot parse at all.
_CORRUPT_MANIFEST_ERRORS = ("Verify", "Signature", "Jumbf", "JUMBF", "Cbor", "ClaimDecoding", "manifest")
SIGNING_ALGS = {"es256": c2pa.C2paSigningAlg.ES256, "ed25519": c2pa.C2paSigningAlg.ED25519}
if hasattr(c2pa.C2paSigningAlg, "PS256"):
    SIGNING_ALGS["ps256"] = c2pa.C2paSigningAlg.PS256


class ManifestError(ValueError):
    """The audio cannot be signed or read as C2PA (unsupported type, unparsable file)."""


@dataclass(frozen=True)
class SigningCredentials:
    """A certificate chain (PEM, signer first) and either its private key or a callback
    (`sign(data) -> signature`, for a KMS or HSM). `cache_key` names the credentials in the
    per-process signer cache (a path and its mtime, say)."""

    chain_pem: bytes
    cache_key: str
    private_key_pem: bytes | None = None
    callback: Callable[[bytes], bytes] | None = None
    alg: str = "es256"


@dataclass(frozen=True)
class Ingredient:
    """The parent of an edited take: a signed file (its manifests come along) or plain audio."""

    data: bytes
    fmt: str
    title: str


@dataclass(frozen=True)
class Claim:
    """What one manifest says about one piece of audio."""

    title: str
    software_agent: dict[str, str]
    record: dict[str, Any]
    training: str = "notAllowed"
    edit: str | None = None  # the edit that made this take from its parent (a description)
    fingerprint: bytes | None = None  # raw little-endian uint32 Chromaprint sub-fingerprints
    aigc: dict[str, str] | None = None
    explicit_label: str | None = None


def _actions(claim: Claim) -> list[dict[str, Any]]:
    if claim.edit is None:
        actions = [
            {
                "action": "c2pa.created",
                "digitalSourceType": SOURCE_GENERATED,
                "softwareAgent": claim.software_agent,
            }
        ]
    else:
        actions = [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": [PARENT_ID]}},
            {
                "action": "c2pa.edited",
                "digitalSourceType": SOURCE_EDITED,
                "softwareAgent": claim.software_agent,
                "description": claim.edit,
            },
        ]
    if claim.explicit_label is not None:
        description = (
            f"explicit AI-generated audio label (GB 45438-2025 rhythm cue) at the {claim.explicit_label}"
        )
        actions.append({"action": "c2pa.edited", "description": description})
    return actions


def manifest_definition(claim: Claim, fmt: str) -> dict[str, Any]:
    if claim.training not in TRAINING_USES:
        raise ManifestError(f"training use must be one of {', '.join(TRAINING_USES)}")
    assertions: list[dict[str, Any]] = [
        {"label": "c2pa.actions.v2", "data": {"actions": _actions(claim)}},
        {"label": RECORD_LABEL, "data": claim.record},
        {
            "label": "cawg.training-mining",
            "data": {"entries": {entry: {"use": claim.training} for entry in TRAINING_ENTRIES}},
        },
    ]
    if claim.fingerprint is not None:
        value = base64.b64encode(claim.fingerprint).decode()
        soft_binding = {"alg": SOFT_BINDING_ALG, "blocks": [{"scope": {}, "value": value}]}
        assertions.append({"label": "c2pa.soft-binding", "data": soft_binding})
    if claim.aigc is not None:
        assertions.append({"label": AIGC_LABEL, "data": {"AIGC": claim.aigc}})
    return {
        "claim_generator_info": [CLAIM_GENERATOR],
        "title": claim.title,
        "format": _mime(fmt),
        "assertions": assertions,
    }


def _mime(fmt: str) -> str:
    try:
        return MIME[fmt]
    except KeyError:
        raise ManifestError(f"C2PA labels are made for {', '.join(MIME)}, not {fmt!r}") from None


_signers: dict[str, c2pa.Signer] = {}
_signers_pid = os.getpid()
_signers_lock = threading.Lock()
_sign_lock = threading.Lock()


def _new_signer(credentials: SigningCredentials) -> c2pa.Signer:
    alg = SIGNING_ALGS.get(credentials.alg)
    if alg is None:
        raise ManifestError(f"signing algorithm must be one of {', '.join(SIGNING_ALGS)}")
    if credentials.callback is not None:
        return c2pa.Signer.from_callback(credentials.callback, alg, credentials.chain_pem.decode(), None)
    if credentials.private_key_pem is None:
        raise ManifestError("signing credentials need a private key or a callback")
    info = c2pa.C2paSignerInfo(alg, credentials.chain_pem, credentials.private_key_pem, None)
    return c2pa.Signer.from_info(info)


def signer_for(credentials: SigningCredentials) -> c2pa.Signer:
    """This process's Signer for the credentials, made on first use.

    Keyed by pid: a Signer inherited through fork() belongs to the parent's native state and
    must never be used (nor freed) in the child, so a new process starts an empty cache.
    """
    global _signers, _signers_pid
    with _signers_lock:
        if _signers_pid != os.getpid():
            _signers, _signers_pid = {}, os.getpid()
        signer = _signers.get(credentials.cache_key)
        if signer is None:
            signer = _signers[credentials.cache_key] = _new_signer(credentials)
        return signer


def sign(
    data: bytes,
    fmt: str,
    claim: Claim,
    credentials: SigningCredentials,
    *,
    parent: Ingredient | None = None,
) -> bytes:
    """The audio with a signed manifest embedded (and the parent's manifests, if any)."""
    if (claim.edit is None) != (parent is None):
        raise ManifestError("an edit needs its parent as ingredient, and only an edit has one")
    builder = c2pa.Builder(manifest_definition(claim, fmt))
    out = io.BytesIO()
    # Signers are shared by the threads of a process; a native call on one is not reentrant.
    with _sign_lock:
        try:
            if parent is not None:
                ingredient = {"title": parent.title, "relationship": "parentOf", "label": PARENT_ID}
                builder.add_ingredient(ingredient, _mime(parent.fmt), io.BytesIO(parent.data))
            builder.sign(signer_for(credentials), _mime(fmt), io.BytesIO(data), out)
        except c2pa.C2paError as exc:
            raise ManifestError(f"C2PA signing failed: {exc}") from exc
    return out.getvalue()


@dataclass(frozen=True)
class IngredientReading:
    title: str
    relationship: str
    format: str | None
    manifest: str | None  # label of the ingredient's own manifest in the store


@dataclass(frozen=True)
class ManifestReading:
    """What a reader learns from a file: `state` is trusted (valid, chain to an anchor),
    valid (intact, signer not trusted here), invalid (tampered or bad signature) or none."""

    state: str
    failures: list[str] = field(default_factory=list)
    active_manifest: str | None = None
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None  # what the SDK said when the manifest could not be read at all

    @property
    def ok(self) -> bool:
        return self.state in ("trusted", "valid")

    def assertion(self, label: str, manifest: str | None = None) -> Any:
        for assertion in self.manifests.get(manifest or self.active_manifest or "", {}).get("assertions", []):
            if assertion.get("label") == label:
                return assertion.get("data")
        return None

    def actions(self, manifest: str | None = None) -> list[dict[str, Any]]:
        return (self.assertion("c2pa.actions.v2", manifest) or {}).get("actions", [])

    def record(self, manifest: str | None = None) -> dict[str, Any] | None:
        return self.assertion(RECORD_LABEL, manifest)

    def aigc(self, manifest: str | None = None) -> dict[str, str] | None:
        return (self.assertion(AIGC_LABEL, manifest) or {}).get("AIGC")

    def soft_binding(self, manifest: str | None = None) -> dict[str, Any] | None:
        """{"alg", "value"} of the Chromaprint soft binding (value: base64 of raw LE uint32)."""
        binding = self.assertion("c2pa.soft-binding", manifest)
        if not binding or not binding.get("blocks"):
            return None
        return {"alg": binding.get("alg"), "value": binding["blocks"][0].get("value")}

    def ingredients(self, manifest: str | None = None) -> list[IngredientReading]:
        found = self.manifests.get(manifest or self.active_manifest or "", {}).get("ingredients", [])
        return [
            IngredientReading(
                title=i.get("title", ""),
                relationship=i.get("relationship", ""),
                format=i.get("format"),
                manifest=i.get("active_manifest"),
            )
            for i in found
        ]

    def chain(self) -> list[str]:
        """Manifest labels from the active one back through each parentOf ingredient."""
        labels, label = [], self.active_manifest
        while label is not None and label in self.manifests and label not in labels:
            labels.append(label)
            parents = [i for i in self.ingredients(label) if i.relationship == "parentOf"]
            label = parents[0].manifest if parents else None
        return labels


def read(data: bytes, fmt: str, anchors_pem: bytes | str | None = None) -> ManifestReading:
    """Read and validate the file's C2PA manifests; trust is judged against `anchors_pem`."""
    mime = _mime(fmt)
    context = None
    if anchors_pem is not None:
        anchors = anchors_pem.decode() if isinstance(anchors_pem, bytes) else anchors_pem
        context = c2pa.Context.from_dict({"trust": {"trust_anchors": anchors}})
    try:
        reader = c2pa.Reader.try_create(mime, io.BytesIO(data), None, context)
    except c2pa.C2paError as exc:
        # A manifest that is there but broken is invalid; a file c2pa cannot parse is an error.
        if any(kind in str(exc) for kind in _CORRUPT_MANIFEST_ERRORS):
            return ManifestReading(state="invalid", failures=[MANIFEST_CORRUPT], error=str(exc))
        raise ManifestError(f"cannot read C2PA from this {fmt}: {exc}") from exc
    if reader is None:
        return ManifestReading(state="none")
    with reader:
        store = json.loads(reader.json())
    results = store.get("validation_results", {}).get("activeManifest", {})
    return ManifestReading(
        state=STATES.get(store.get("validation_state", ""), "invalid"),
        failures=[f["code"] for f in results.get("failure", [])],
        active_manifest=store.get("active_manifest"),
        manifests=store.get("manifests", {}),
    )

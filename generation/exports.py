"""Exports: a take encoded, labelled (GB 45438-2025 AIGC metadata, optional audible cue),
signed with a C2PA manifest that names the work's record, stored and recorded.

encode -> AIGC label in the container's metadata -> C2PA manifest naming the record head
before the export -> store -> the `export` event records the signed file's SHA-256.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import Membership
from config.errors import InvalidInputError
from generation.models import Edit, Export, Take
from generation.services import TakeBlockedError, _sha256, take_audio
from provenance.services import contribution_record


class ExplicitLabelError(InvalidInputError):
    code = "invalid_explicit_label"


MESSAGE_EXPLICIT_LABEL = "explicit_label must be start, middle, end or null."


def take_export(
    *, take: Take, fmt: str, exported_by: Membership, explicit_label: str | None = None
) -> Export:
    """Encode, label and record an export; a take whose similarity check blocked it is refused.

    encode -> AIGC label in the container's metadata -> C2PA manifest naming the record head
    before the export -> store -> the `export` event records the signed file's SHA-256.
    `explicit_label` mixes the audible GB 45438-2025 rhythm cue in at the start, middle or end.
    """
    from generation import audio as audio_ops
    from generation.synth import wav_bytes

    check = getattr(take, "output_check", None)
    if check is not None and check.verdict == "block":
        raise TakeBlockedError(detail={"take": str(take.id), "matches": check.matches})
    if explicit_label is not None and explicit_label not in audio_ops.CUE_POSITIONS:
        raise ExplicitLabelError(MESSAGE_EXPLICIT_LABEL, detail={"explicit_label": explicit_label})
    audio = take_audio(take)
    if explicit_label is not None:
        try:
            audio = audio_ops.with_label_cue(audio, explicit_label)
        except audio_ops.AudioEditError as exc:
            raise ExplicitLabelError(str(exc), detail={"explicit_label": explicit_label}) from None
    data = audio_ops.encode(wav_bytes(audio), fmt)
    fingerprint = _fingerprint_bytes(audio)
    with transaction.atomic():
        return _export_store(take, fmt, data, fingerprint, explicit_label, exported_by)


def _fingerprint_bytes(audio) -> bytes | None:
    """Raw little-endian uint32 Chromaprint values of the exported audio (None when too short
    or silent to fingerprint: the manifest then has no soft binding)."""
    from generation.synth import SAMPLE_RATE
    from similarity.fingerprint import AudioError, fingerprint_samples, samples_from_audio

    try:
        found = fingerprint_samples(samples_from_audio(audio.numpy(), SAMPLE_RATE))
    except AudioError:
        return None
    return found.values.astype("<u4").tobytes()


def _export_store(take, fmt, data, fingerprint, explicit_label, exported_by) -> Export:
    from provenance import aigc, manifests
    from provenance.exports_index import exports_index_add
    from provenance.labels import aigc_label, signing_credentials
    from provenance.services import record_head_lock
    from similarity.models import index_key_for

    export = Export(work=take.work, take=take, format=fmt, exported_by=exported_by.user)
    if fingerprint is not None:
        export.fingerprint, export.index_key = fingerprint, index_key_for(export.id)
    # Locked until commit: the `export` event below directly follows the head the manifest names.
    record = record_head_lock(work=take.work) | {"take": str(take.id), "export": str(export.id)}
    label = aigc_label(produce_id=str(export.id))
    claim = _claim(take, record, fingerprint=fingerprint, aigc=label, explicit_label=explicit_label)
    credentials = signing_credentials()
    parent = _parent_ingredient(take, record, credentials)
    signed = manifests.sign(aigc.embed(data, fmt, label), fmt, claim, credentials, parent=parent)
    export.sha256 = _sha256(signed)
    export.file.save(f"{export.id}.{fmt}", ContentFile(signed), save=False)
    try:
        export.save()
        payload = {"take": str(take.id), "format": fmt, "sha256": export.sha256, "export": str(export.id)}
        if explicit_label is not None:
            payload["explicit_label"] = explicit_label
        contribution_record(work=take.work, kind="export", actor=exported_by, payload=payload)
        exports_index_add([export])
    except BaseException:
        export.file.delete(save=False)
        raise
    return export


def _software_agent(take: Take) -> dict[str, str]:
    source = take
    while "backend_version" not in source.environment and source.parent_id is not None:
        source = source.parent
    return {
        "name": f"SongProof {take.backend}",
        "version": str(source.environment.get("backend_version", "")),
    }


def _edit_description(take: Take) -> str | None:
    edit = Edit.objects.filter(result=take).first()
    if edit is None:
        return None if take.parent_id is None else "edited"
    details = ", ".join(f"{name} {value}" for name, value in sorted(edit.parameters.items()))
    return f"{edit.operation} ({details})" if details else edit.operation


def _claim(take: Take, record: dict, **labels):
    from provenance.manifests import Claim

    return Claim(
        title=f"{take.work.title} (take {take.id})",
        software_agent=_software_agent(take),
        record=record,
        training=take.work.training_use,
        edit=_edit_description(take) if take.parent_id else None,
        **labels,
    )


def _parent_ingredient(take: Take, record: dict, credentials):
    """The parent take as a parentOf ingredient: its latest signed export when it has one;
    otherwise its stored WAV signed here in memory with its own manifest (and its own parent
    the same way), so the chain of manifests covers every edit. That in-memory file is not
    stored and not recorded as an export: only its manifest travels, inside this one's."""
    from provenance.manifests import Ingredient, sign

    parent = take.parent
    if parent is None:
        return None
    export = parent.exports.order_by("-created_at").first()
    if export is not None:
        with export.file.open("rb") as handle:
            return Ingredient(handle.read(), export.format, f"{export.id}.{export.format}")
    with parent.audio.open("rb") as handle:
        wav = handle.read()
    claim = _claim(parent, record | {"take": str(parent.id), "export": None})
    signed = sign(wav, "wav", claim, credentials, parent=_parent_ingredient(parent, record, credentials))
    return Ingredient(signed, "wav", f"take-{parent.id}.wav")

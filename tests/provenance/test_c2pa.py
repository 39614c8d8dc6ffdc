"""C2PA manifests, the local PKI and GB 45438-2025 labels, without a database."""

from __future__ import annotations

import io
import subprocess
import wave

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from cryptography.x509.oid import ExtendedKeyUsageOID

from provenance import aigc, manifests, pki

KEK = bytes(range(32))
FORMATS = ("wav", "flac", "mp3", "m4a")


@pytest.fixture(scope="module")
def local_pki(tmp_path_factory) -> pki.PkiPaths:
    return pki.pki_create(tmp_path_factory.mktemp("pki"), kek=KEK)


@pytest.fixture(scope="module")
def credentials(local_pki) -> manifests.SigningCredentials:
    return manifests.SigningCredentials(
        chain_pem=local_pki.chain.read_bytes(),
        cache_key=str(local_pki.chain),
        private_key_pem=pki.private_key_pem(local_pki.key, kek=KEK),
    )


def _wav(seconds: float = 4.0, hz: float = 440.0) -> bytes:
    t = np.arange(round(44_100 * seconds)) / 44_100
    tone = (0.3 * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44_100)
        out.writeframes(np.stack([tone, tone], axis=1).tobytes())
    return buffer.getvalue()


def _encoded(fmt: str, wav: bytes | None = None) -> bytes:
    from generation.audio import encode

    return encode(wav or _wav(), fmt)


def _claim(**changes) -> manifests.Claim:
    fields = {
        "title": "Harbour Lights",
        "software_agent": {"name": "SongProof builtin", "version": "1"},
        "record": {"work": "w", "head": {"seq": 3, "event_hash": "ab" * 32, "log_index": 7}},
        "training": "notAllowed",
        "fingerprint": np.arange(5, dtype="<u4").tobytes(),
    }
    return manifests.Claim(**(fields | changes))


def test_local_pki_has_the_certificate_profile_c2pa_accepts(local_pki):
    signer, root = x509.load_pem_x509_certificates(local_pki.chain.read_bytes())
    [anchor] = x509.load_pem_x509_certificates(local_pki.anchors.read_bytes())

    assert anchor == root and root.subject == root.issuer
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    assert signer.issuer == root.subject
    assert signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = signer.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    ski = signer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = signer.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert (
        ski.digest
        and aki.key_identifier
        == root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    )


def test_local_pki_key_is_encrypted_at_rest_and_never_overwritten(local_pki):
    stored = local_pki.key.read_bytes()

    assert b"ENCRYPTED PRIVATE KEY" in stored
    with pytest.raises(TypeError):
        load_pem_private_key(stored, password=None)
    with pytest.raises(ValueError):
        pki.private_key_pem(local_pki.key, kek=bytes(32))
    with pytest.raises(pki.PkiExistsError):
        pki.pki_create(local_pki.key.parent, kek=KEK)
    assert local_pki.key.read_bytes() == stored


@pytest.mark.parametrize("fmt", FORMATS)
def test_signed_audio_reads_trusted_with_the_anchor_and_valid_untrusted_without(fmt, local_pki, credentials):
    signed = manifests.sign(_encoded(fmt), fmt, _claim(), credentials)

    trusted = manifests.read(signed, fmt, local_pki.anchors.read_bytes())
    alone = manifests.read(signed, fmt)

    assert trusted.state == "trusted" and trusted.failures == []
    assert alone.state == "valid" and "signingCredential.untrusted" in alone.failures
    [created] = trusted.actions()
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == manifests.SOURCE_GENERATED
    assert created["softwareAgent"] == {"name": "SongProof builtin", "version": "1"}
    assert trusted.record()["head"]["log_index"] == 7
    assert trusted.soft_binding() == {
        "alg": manifests.SOFT_BINDING_ALG,
        "value": "AAAAAAEAAAACAAAAAwAAAAQAAAA=",
    }
    training = trusted.assertion("cawg.training-mining")["entries"]
    assert training["cawg.ai_generative_training"] == {"use": "notAllowed"}


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_one_changed_audio_byte_makes_the_manifest_invalid(fmt, local_pki, credentials):
    signed = bytearray(manifests.sign(_encoded(fmt), fmt, _claim(), credentials))
    signed[len(signed) // 2] ^= 0x01

    reading = manifests.read(bytes(signed), fmt, local_pki.anchors.read_bytes())

    assert reading.state == "invalid"
    assert "assertion.dataHash.mismatch" in reading.failures


def test_reencoded_audio_has_no_manifest(tmp_path, local_pki, credentials):
    signed = manifests.sign(_encoded("flac"), "flac", _claim(), credentials)
    (tmp_path / "signed.flac").write_bytes(signed)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(tmp_path / "signed.flac"), str(tmp_path / "again.flac")],
        check=True,
    )

    assert manifests.read((tmp_path / "again.flac").read_bytes(), "flac").state == "none"


def test_an_edit_carries_its_parent_manifest_and_the_chain_can_be_walked(local_pki, credentials):
    original = manifests.sign(_encoded("wav"), "wav", _claim(title="take 1"), credentials)
    parent = manifests.Ingredient(original, "wav", "take-1.wav")
    edited = manifests.sign(
        _encoded("flac", _wav(hz=330)),
        "flac",
        _claim(title="take 2", edit="fade (in_s 0.5)", record={"head": {"seq": 9}}),
        credentials,
        parent=parent,
    )

    reading = manifests.read(edited, "flac", local_pki.anchors.read_bytes())

    assert reading.state == "trusted"
    opened, edit = reading.actions()
    assert opened["action"] == "c2pa.opened" and edit["action"] == "c2pa.edited"
    assert edit["digitalSourceType"] == manifests.SOURCE_EDITED
    [ingredient] = reading.ingredients()
    assert ingredient.relationship == "parentOf" and ingredient.title == "take-1.wav"
    newest, oldest = reading.chain()
    assert newest == reading.active_manifest
    assert reading.manifests[oldest]["title"] == "take 1"
    assert reading.record(oldest)["head"]["log_index"] == 7
    assert reading.actions(oldest)[0]["action"] == "c2pa.created"


def test_an_edit_without_its_parent_is_refused(credentials):
    with pytest.raises(manifests.ManifestError):
        manifests.sign(_encoded("wav"), "wav", _claim(edit="trim"), credentials)


def test_a_callback_signer_signs_like_a_key(local_pki):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = load_pem_private_key(pki.private_key_pem(local_pki.key, kek=KEK), password=None)

    def sign(data: bytes) -> bytes:  # what a KMS would do: raw r||s for ES256
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    credentials = manifests.SigningCredentials(
        chain_pem=local_pki.chain.read_bytes(), cache_key="callback", callback=sign
    )
    signed = manifests.sign(_encoded("mp3"), "mp3", _claim(), credentials)

    assert manifests.read(signed, "mp3", local_pki.anchors.read_bytes()).state == "trusted"


@pytest.mark.parametrize("fmt", FORMATS)
def test_aigc_label_is_in_the_container_metadata_and_survives_signing(fmt, local_pki, credentials):
    key = Ed25519PrivateKey.generate()
    label = aigc.implicit_label(producer="songproof.test", produce_id="export-1", private_key=key)
    labelled = aigc.embed(_encoded(fmt), fmt, label)
    signed = manifests.sign(labelled, fmt, _claim(aigc=label), credentials)

    found = aigc.extract(signed, fmt)

    assert aigc.extract(_encoded(fmt), fmt) is None
    assert found == label and set(found) == set(aigc.FIELDS)
    assert found["Label"] == "1" and found["ProduceID"] == "export-1"
    assert aigc.label_signature_valid(found, [key.public_key()])
    assert manifests.read(signed, fmt, local_pki.anchors.read_bytes()).aigc() == label


@pytest.mark.parametrize("field", ["Label", "ContentProducer", "ProduceID"])
def test_aigc_reserved_code_fails_after_a_field_is_changed(field):
    key = Ed25519PrivateKey.generate()
    label = aigc.implicit_label(producer="songproof.test", produce_id="export-1", private_key=key)

    assert not aigc.label_signature_valid(label | {field: "3"}, [key.public_key()])
    assert not aigc.label_signature_valid(label, [Ed25519PrivateKey.generate().public_key()])

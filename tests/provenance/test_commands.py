import json

import pytest
from django.core.management import CommandError, call_command

from provenance.bundle import read_bundle
from provenance.models import KeyPurpose, SigningKey
from provenance.verify import verify_bundle

pytestmark = pytest.mark.django_db


def test_export_evidence_writes_a_bundle_that_verifies(work, tmp_path):
    out = tmp_path / "evidence.zip"

    call_command("export_evidence", "--work", str(work.id), "--out", str(out))

    assert verify_bundle(read_bundle(out.read_bytes())).ok
    assert not (tmp_path / "evidence.zip.partial").exists()


@pytest.mark.parametrize("work_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_export_evidence_of_an_unknown_work_fails_cleanly(tmp_path, work_id, db):
    with pytest.raises(CommandError, match="no work"):
        call_command("export_evidence", "--work", work_id, "--out", str(tmp_path / "x.zip"))
    assert not list(tmp_path.iterdir())


def test_export_evidence_into_a_missing_folder_fails_cleanly(work, tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export_evidence", "--work", str(work.id), "--out", str(tmp_path / "no" / "x.zip"))


def test_rotate_keys_retires_both_keys(work, capsys):
    before = set(SigningKey.objects.values_list("key_id", flat=True))

    call_command("rotate_keys")

    active = SigningKey.objects.filter(retired_at__isnull=True)
    assert {k.purpose for k in active} == {KeyPurpose.RECORD, KeyPurpose.LOG}
    assert not before & {k.key_id for k in active}
    assert "record: new key record-" in capsys.readouterr().out


def test_bundle_after_rotation_carries_the_old_record_key(work, owner, tmp_path):
    from generation.services import work_note_add
    from tests.provenance.conftest import integrate

    call_command("rotate_keys", "--purpose", "record")
    work_note_add(work=work, text="after rotation", author=owner.membership)
    integrate()
    out = tmp_path / "evidence.zip"
    call_command("export_evidence", "--work", str(work.id), "--out", str(out))

    files = read_bundle(out.read_bytes())
    assert any(name.startswith("keys/record-record-") for name in files)
    report = verify_bundle(files)
    assert report.ok, json.dumps(report.as_dict(), indent=1)

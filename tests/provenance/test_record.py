import pytest
from django.db import DatabaseError, connection, transaction

from generation.services import work_create
from provenance.keys import key_rotate, public_key
from provenance.models import AppendOnlyError, Checkpoint, ContributionEvent, KeyPurpose, LogNode, SigningKey
from provenance.record import canonical_body, event_hash, event_signature_valid
from provenance.services import contribution_record

pytestmark = pytest.mark.django_db


def test_events_chain_by_seq_and_previous_hash_and_are_signed(work):
    events = list(ContributionEvent.objects.filter(work=work).order_by("seq"))

    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.kind for e in events] == ["work.created", "note", "note"]
    assert events[0].prev_hash is None
    assert [e.prev_hash for e in events[1:]] == [e.event_hash for e in events[:-1]]
    for event in events:
        assert event_hash(canonical_body(event.parsed_body)) == event.event_hash
        key = SigningKey.objects.get(key_id=event.key_id)
        assert event_signature_valid(event.event_hash, bytes(event.signature), public_key(key))


def test_the_actor_and_role_are_part_of_what_is_signed(work, teammate):
    note = ContributionEvent.objects.get(work=work, seq=2)

    assert note.actor == {"user": "ben", "role": "creator"}
    assert note.payload == {"text": "Wrote the chorus by hand."}


def test_event_and_change_commit_together_or_not_at_all(owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        work_create(organisation=owner.organisation, title="Never", created_by=owner.membership)
        raise RuntimeError("the change failed after its event was written")

    assert not ContributionEvent.objects.filter(body__contains='"Never"').exists()


def test_payloads_that_are_not_interoperable_json_are_refused(work, owner):
    from config.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        contribution_record(work=work, kind="note", actor=owner.membership, payload={"x": float("nan")})
    assert ContributionEvent.objects.filter(work=work).count() == 3


@pytest.mark.parametrize("model", [ContributionEvent, LogNode, Checkpoint])
def test_append_only_rows_refuse_update_and_delete_in_code(work, model):
    row = model.objects.first()

    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(pk=row.pk)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()


@pytest.mark.services
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE provenance_contributionevent SET kind = 'edit' WHERE seq = 2",
        "UPDATE provenance_contributionevent SET log_index = log_index + 100 WHERE seq = 1",
        "DELETE FROM provenance_contributionevent WHERE seq = 3",
        "UPDATE provenance_lognode SET hash = '\\x00'",
        "DELETE FROM provenance_checkpoint",
    ],
)
def test_postgresql_triggers_refuse_raw_sql_changes(work, statement):
    assert connection.vendor == "postgresql"
    before = list(ContributionEvent.objects.order_by("id").values_list("kind", "log_index"))

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert list(ContributionEvent.objects.order_by("id").values_list("kind", "log_index")) == before


def test_rotated_keys_keep_verifying_what_they_signed(work, owner):
    old = ContributionEvent.objects.get(work=work, seq=1)

    new_key = key_rotate(purpose=KeyPurpose.RECORD)
    later = contribution_record(work=work, kind="note", actor=owner.membership, payload={"text": "after"})

    assert later.key_id == new_key.key_id != old.key_id
    old_key = SigningKey.objects.get(key_id=old.key_id)
    assert old_key.retired_at is not None
    assert event_signature_valid(old.event_hash, bytes(old.signature), public_key(old_key))
    assert later.prev_hash == ContributionEvent.objects.get(work=work, seq=3).event_hash


def test_private_keys_are_stored_encrypted(work):
    key = SigningKey.objects.get(purpose=KeyPurpose.RECORD)
    from provenance.keys import private_key

    raw_private = private_key(key).private_bytes_raw()
    assert raw_private not in bytes(key.encrypted_private_key)
    assert len(bytes(key.encrypted_private_key)) == 12 + 32 + 16  # nonce, key, GCM tag


def test_a_changed_key_encryption_key_is_named_not_a_crypto_traceback(work, owner, settings):
    import base64

    from django.core.exceptions import ImproperlyConfigured

    from provenance import keys

    settings.SONGPROOF_KEY_ENCRYPTION_KEY = base64.b64encode(bytes(32)).decode()
    keys.key_encryption_key.cache_clear()
    keys._unsealed.cache_clear()
    keys.forget_cached_keys()
    try:
        with pytest.raises(ImproperlyConfigured, match="SONGPROOF_KEY_ENCRYPTION_KEY: signing key record-"):
            contribution_record(work=work, kind="note", actor=owner.membership, payload={"text": "x"})
    finally:
        keys.key_encryption_key.cache_clear()
        keys._unsealed.cache_clear()

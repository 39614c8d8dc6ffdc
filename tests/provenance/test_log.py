import pytest

from generation.services import work_create, work_note_add
from provenance import merkle
from provenance.keys import key_rotate
from provenance.models import Checkpoint, ContributionEvent, KeyPurpose, LogState
from provenance.note import open_note, parse_checkpoint, parse_verifier_key, verifier_key
from provenance.selectors import DatabaseNodes, consistency_proof, inclusion_proof
from provenance.services import log_integrate
from tests.provenance.conftest import integrate

pytestmark = pytest.mark.django_db


def test_events_get_consecutive_log_indexes_as_they_commit(work):
    indexes = sorted(ContributionEvent.objects.values_list("log_index", flat=True))

    assert indexes == list(range(len(indexes)))
    assert LogState.objects.get(pk=1).size == len(indexes)


def test_every_checkpoint_is_signed_and_consistent_with_every_earlier_one(work, owner):
    for n in range(5):
        work_note_add(work=work, text=f"take {n}", author=owner.membership)
        integrate()
    key_rotate(purpose=KeyPurpose.LOG)  # checkpoints after rotation verify with the new key
    work_create(organisation=owner.organisation, title="B-side", created_by=owner.membership)
    integrate()

    checkpoints = list(Checkpoint.objects.order_by("tree_size"))
    assert len(checkpoints) >= 4
    source = DatabaseNodes()
    for earlier in checkpoints:
        for later in checkpoints:
            if earlier.tree_size <= later.tree_size:
                proof = consistency_proof(first=earlier.tree_size, second=later.tree_size)
                merkle.verify_consistency(
                    earlier.tree_size,
                    later.tree_size,
                    bytes(earlier.root_hash),
                    bytes(later.root_hash),
                    proof,
                )
        assert merkle.root(source, earlier.tree_size) == bytes(earlier.root_hash)


def test_checkpoint_notes_verify_with_the_published_log_key(work, settings):
    from provenance.models import SigningKey

    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    key = SigningKey.objects.get(key_id=checkpoint.key_id)
    verifier = parse_verifier_key(verifier_key(settings.SONGPROOF_LOG_ORIGIN, bytes(key.public_key)))

    parsed = parse_checkpoint(open_note(checkpoint.note, verifier))
    assert (parsed.size, parsed.root_hash) == (checkpoint.tree_size, bytes(checkpoint.root_hash))


def test_every_event_has_a_valid_inclusion_proof(work):
    size = LogState.objects.get(pk=1).size
    root = merkle.root(DatabaseNodes(), size)
    for event in ContributionEvent.objects.all():
        proof = inclusion_proof(event=event, tree_size=size)
        leaf = merkle.leaf_hash(bytes.fromhex(event.event_hash))
        merkle.verify_inclusion(event.log_index, size, leaf, proof.audit_path, root)


def test_integrating_with_nothing_pending_signs_nothing(work):
    count = Checkpoint.objects.count()

    assert log_integrate() is None
    assert Checkpoint.objects.count() == count

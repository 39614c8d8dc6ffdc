"""Every new take is checked against the catalogues; the policy decides; blocked is final."""

import pytest

from accounts.roles import OrganisationKind
from generation.exports import take_export
from generation.services import generation_request_create, generation_run, take_edit, work_create
from provenance.models import ContributionEvent
from similarity.ingestion import catalogue_ingest
from similarity.models import OutputPolicy
from similarity.services import IngestItem, catalogue_get_or_create
from tests.accounts.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def generate(owner, work, seed):
    request = generation_request_create(
        work=work,
        requested_by=owner.membership,
        tags=["rock"],
        duration_s=24,
        takes=1,
        seed=seed,
        queue=False,
    )
    return generation_run(request_id=request.id).results.get()


@pytest.fixture
def copied(owner, tmp_path):
    """A take whose audio a label already holds: its catalogue has the very same recording."""
    work = work_create(organisation=owner.organisation, title="Suspicious", created_by=owner.membership)
    original = generate(owner, work, seed=5)
    label = OrganisationFactory(slug="label", kind=OrganisationKind.RIGHTS_HOLDER)
    catalogue = catalogue_get_or_create(organisation=label, name="Masters")
    path = tmp_path / "master.wav"
    path.write_bytes(original.audio.open("rb").read())
    catalogue_ingest(catalogue=catalogue, items=[IngestItem(path, "master.wav", {"title": "Master Take"})])
    return work, generate(owner, work, seed=5)


def test_a_take_matching_a_catalogue_is_blocked_and_recorded(copied):
    work, take = copied

    assert take.output_check.verdict == "block"
    assert take.output_check.matched_seconds >= 15
    assert take.output_check.matches[0]["title"] == "Master Take"
    event = ContributionEvent.objects.filter(work=work, kind="check").order_by("-seq").first()
    assert event.payload["verdict"] == "block" and event.payload["take"] == str(take.id)


def test_a_blocked_take_cannot_be_exported(copied, owner):
    from generation.services import TakeBlockedError

    _, take = copied

    with pytest.raises(TakeBlockedError):
        take_export(take=take, fmt="wav", exported_by=owner.membership)


def test_the_api_refuses_the_export_with_409(copied, owner):
    _, take = copied

    response = owner.client.post(f"/api/takes/{take.id}/exports/", {"format": "mp3"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "take_blocked"
    assert owner.client.get(f"/api/takes/{take.id}/").json()["check"]["verdict"] == "block"


def test_a_shorter_edit_is_checked_again_and_only_flagged(copied, owner):
    _, take = copied

    short = take_edit(
        take=take, operation="trim", parameters={"start_s": 0, "end_s": 9}, edited_by=owner.membership
    )

    assert short.output_check.verdict == "flag"
    assert take_export(take=short, fmt="wav", exported_by=owner.membership).sha256


def test_the_organisations_policy_decides(copied, owner):
    work, _ = copied
    OutputPolicy.objects.create(organisation=owner.organisation, flag_seconds=5, block_seconds=1000)

    take = generate(owner, work, seed=5)

    assert take.output_check.verdict == "flag"
    assert take.output_check.policy["block_seconds"] == 1000


def test_unrelated_takes_are_allowed_against_the_catalogue(copied, owner):
    work, _ = copied

    other = generate(owner, work, seed=6)

    assert other.output_check.verdict == "allow"
    assert other.output_check.catalogues == 1 and other.output_check.matches == []

"""A label (rights holder) with a catalogue of recordings (no audio: rows made directly), a
platform that licenses it, and their members."""

import uuid

import pytest

from accounts.roles import OrganisationKind, Role
from similarity.models import Catalogue, Recording, index_key_for
from tests.accounts.factories import OrganisationFactory
from tests.conftest import make_persona

ISRCS = ["GBAYE6900531", "GBAYE6900532", "USRC17607839"]


def recording(catalogue: Catalogue, isrc: str, title: str = "") -> Recording:
    recording_id = uuid.uuid4()
    return Recording.objects.create(
        id=recording_id,
        catalogue=catalogue,
        title=title or f"Song {isrc}",
        isrc=isrc,
        source_path=f"{isrc}.wav",
        duration_s=180.0,
        audio_sha256=recording_id.hex * 2,
        index_key=index_key_for(recording_id),
        fingerprint=b"",
    )


@pytest.fixture
def label(db):
    return OrganisationFactory(
        slug="harbour-records", name="Harbour Records", kind=OrganisationKind.RIGHTS_HOLDER
    )


@pytest.fixture
def label_owner(label):
    return make_persona(organisation=label, role=Role.OWNER, username="lena")


@pytest.fixture
def label_auditor(label):
    return make_persona(organisation=label, role=Role.AUDITOR, username="otto")


@pytest.fixture
def platform(db):
    return OrganisationFactory(slug="tunefactory", name="Tunefactory", kind=OrganisationKind.PLATFORM)


@pytest.fixture
def platform_owner(platform):
    return make_persona(organisation=platform, role=Role.OWNER, username="pia")


@pytest.fixture
def rival(db):
    """Another rights holder: must never see the label's rights or licences."""
    other = OrganisationFactory(slug="rival-music", name="Rival Music", kind=OrganisationKind.RIGHTS_HOLDER)
    return make_persona(organisation=other, role=Role.OWNER, username="rex")


@pytest.fixture
def masters(label):
    return Catalogue.objects.create(organisation=label, name="Masters")


@pytest.fixture
def recordings(masters):
    return [recording(masters, isrc) for isrc in ISRCS]

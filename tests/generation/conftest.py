import pytest

from generation.services import work_create


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def work(owner):
    return work_create(organisation=owner.organisation, title="Harbour Lights", created_by=owner.membership)


@pytest.fixture
def generate(owner, work, django_capture_on_commit_callbacks):
    """POST a generation as the owner; the queued task runs when the request commits."""

    def post(**body):
        with django_capture_on_commit_callbacks(execute=True):
            response = owner.client.post(f"/api/works/{work.id}/generations/", body, format="json")
        return response

    return post

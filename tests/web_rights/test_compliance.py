"""Compliance pages of a studio: exports and labels, output-check policy, training summary."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.roles import Role
from generation.exports import take_export
from generation.services import work_create
from similarity.models import OutputPolicy
from similarity.scans import scan_create, scan_run
from similarity.services import MESSAGE_POLICY_ORDER
from tests.conftest import make_persona
from tests.web.conftest import logged_in
from tests.web_rights.conftest import generate
from web.views.compliance import MESSAGE_POLICY_READ_ONLY

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(owner):
    work = work_create(organisation=owner.organisation, title="Exported Song", created_by=owner.membership)
    take = generate(owner, work, seed=3, seconds=4)
    return take_export(take=take, fmt="wav", exported_by=owner.membership)


def test_exports_and_labels_show_each_export_with_its_status_and_csv(owner_web, export):
    html = owner_web.get(reverse("web:compliance")).content.decode()
    assert "Exported Song" in html and "1 of 1</strong> export compliant" in html
    assert "badge ok" in html
    response = owner_web.get(reverse("web:compliance"), {"format": "csv"})
    assert response["Content-Type"] == "text/csv"
    assert str(export.id) in response.content.decode()


def test_the_period_filters_and_a_bad_period_is_an_error(owner_web, export):
    later = owner_web.get(reverse("web:compliance"), {"date_from": "2099-01-01"}).content.decode()
    assert "No export in this period" in later
    response = owner_web.get(reverse("web:compliance"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 400 and "cannot end before it starts" in response.content.decode()
    assert owner_web.get(reverse("web:compliance"), {"date_from": "soon"}).status_code == 400


def test_exports_empty_state(owner_web):
    assert "No export in this period" in owner_web.get(reverse("web:compliance")).content.decode()


def test_owner_changes_the_policy_and_bad_values_are_refused(owner_web, owner):
    url = reverse("web:compliance-policy")
    assert 'value="15.0"' in owner_web.get(url).content.decode()  # the default policy
    response = owner_web.post(url, {"flag_seconds": 8, "block_seconds": 4, "min_score": 0.9})
    assert response.status_code == 400 and escape(MESSAGE_POLICY_ORDER) in response.content.decode()
    response = owner_web.post(url, {"flag_seconds": -1, "block_seconds": 4, "min_score": 1.5})
    assert response.status_code == 400 and response.content.decode().count('role="alert"') == 2
    assert not OutputPolicy.objects.exists()
    response = owner_web.post(url, {"flag_seconds": 4, "block_seconds": 8, "min_score": 0.9}, follow=True)
    assert "Saved" in response.content.decode()
    policy = OutputPolicy.objects.get(organisation=owner.organisation)
    assert (policy.flag_seconds, policy.block_seconds, policy.min_score) == (4, 8, 0.9)


def test_a_creator_sees_the_policy_read_only(studio):
    web = logged_in(make_persona(organisation=studio, role=Role.CREATOR, username="cal"))
    html = web.get(reverse("web:compliance-policy")).content.decode()
    assert '<form method="post"' not in html.split("<main")[1] and "Only owners, admins" in html
    response = web.post(
        reverse("web:compliance-policy"), {"flag_seconds": 0, "block_seconds": 0, "min_score": 0}
    )
    assert response.status_code == 403 and escape(MESSAGE_POLICY_READ_ONLY) in response.content.decode()
    assert not OutputPolicy.objects.exists()


def test_training_summary_from_chosen_scans(owner_web, owner):
    scan = scan_run(
        scan_id=scan_create(organisation=owner.organisation, source="set-a", items=[], queue=False).id
    )
    url = reverse("web:training-summary")
    assert "set-a" in owner_web.get(url).content.decode()
    response = owner_web.get(url, {"scan": [str(scan.id)], "model_name": "Aurora-1"})
    assert response.status_code == 200 and "Aurora-1" in response.content.decode()
    missing = owner_web.get(url, {"model_name": "Aurora-1"})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()


def test_training_summary_empty_state(owner_web):
    assert "No scan yet" in owner_web.get(reverse("web:training-summary")).content.decode()


def test_outsiders_see_none_of_it(outsider, export, owner):
    scan = scan_create(organisation=owner.organisation, source="set-a", items=[], queue=False)
    web = logged_in(outsider)
    assert "Exported Song" not in web.get(reverse("web:compliance")).content.decode()
    assert "set-a" not in web.get(reverse("web:training-summary")).content.decode()
    response = web.get(reverse("web:training-summary"), {"scan": [str(scan.id)], "model_name": "x"})
    assert response.status_code == 400  # not a choice of theirs


def test_rights_holders_have_no_compliance_pages_and_anonymous_logs_in(label_web, client):
    for name in ("web:compliance", "web:compliance-policy", "web:training-summary"):
        assert label_web.get(reverse(name)).status_code == 404
        assert client.get(reverse(name))["Location"].startswith(reverse("web:login"))


def test_nav_links_by_organisation_kind(owner_web, label_web):
    studio_nav = owner_web.get(reverse("web:home")).content.decode()
    assert all(reverse(n) in studio_nav for n in ("web:compliance", "web:scan-list", "web:statement-list"))
    label_nav = label_web.get(reverse("web:home")).content.decode()
    assert all(
        reverse(n) in label_nav for n in ("web:catalogue-list", "web:match-list", "web:statement-list")
    )
    assert reverse("web:compliance") not in label_nav

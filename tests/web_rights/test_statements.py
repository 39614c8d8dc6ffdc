"""Royalty statement pages: licensor and licensee see them, with totals, a chart and downloads."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from legal.models import Licence, MasterShare, Party
from legal.statements import royalty_statement_create
from tests.conftest import make_persona
from tests.legal.conftest import recording
from tests.web.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_web(platform):
    return logged_in(make_persona(organisation=platform, role=Role.OWNER, username="pia"))


@pytest.fixture
def statements(label, masters, platform):
    song = recording(masters, "GBAYE6900531", "Harbour Lights")
    MasterShare.objects.create(
        recording=song, party=Party.objects.create(organisation=label, name="Wren Writer"), share=Decimal(100)
    )
    licence = Licence.objects.create(
        catalogue=masters,
        licensee=platform,
        training_allowed=True,
        output_use_allowed=True,
        territories=["WORLD"],
        starts_on=datetime.date(2026, 1, 1),
        revenue_share=Decimal(30),
        currency="EUR",
    )
    usage = f"recording_id,kind,units,matched_ms\n{song.id},training,1,\n".encode()
    return [
        royalty_statement_create(
            licence=licence,
            revenue_minor=revenue,
            currency="EUR",
            period_start=datetime.date(2026, month, 1),
            period_end=datetime.date(2026, month, 28),
            usage_csv=usage,
        )
        for month, revenue in ((1, 100000), (2, 50000))
    ]


def test_licensor_and_licensee_list_the_statements(label_web, platform_web, statements):
    for web in (label_web, platform_web):
        html = web.get(reverse("web:statement-list")).content.decode()
        assert "EUR 300.00" in html and "EUR 150.00" in html


def test_statement_page_has_totals_per_party_a_chart_per_period_and_downloads(label_web, statements):
    html = label_web.get(reverse("web:statement-detail", args=[statements[1].id])).content.decode()
    assert "Wren Writer" in html and "EUR 150.00" in html
    assert '<svg class="chart bars" role="img"' in html and html.count("<rect") == 2
    assert "(this statement)" in html
    for kind in ("json", "csv", "html"):
        response = label_web.get(reverse("web:statement-download", args=[statements[1].id, kind]))
        assert response.status_code == 200, kind
    csv = label_web.get(reverse("web:statement-download", args=[statements[1].id, "csv"])).content.decode()
    assert ",7500,75.00,EUR" in csv
    assert label_web.get(reverse("web:statement-download", args=[statements[1].id, "pdf"])).status_code == 404


def test_statement_list_empty_state(label_web):
    assert "No royalty statement yet" in label_web.get(reverse("web:statement-list")).content.decode()


def test_others_get_404_and_see_no_statement(rival_web, statements):
    entry = statements[0]
    assert rival_web.get(reverse("web:statement-detail", args=[entry.id])).status_code == 404
    assert rival_web.get(reverse("web:statement-download", args=[entry.id, "csv"])).status_code == 404
    assert "EUR 300.00" not in rival_web.get(reverse("web:statement-list")).content.decode()


def test_anonymous_visitors_are_sent_to_login(client, statements):
    response = client.get(reverse("web:statement-detail", args=[statements[0].id]))
    assert response["Location"].startswith(reverse("web:login"))

"""A rights holder reviews a match in a real browser: the check of a studio's take that copied
a catalogued recording, with the alignment plot and the recording's own audio."""

from __future__ import annotations

import pytest

from tests.web.browser import log_in, screenshot
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rights_holder_reviews_a_match_in_the_browser(new_page, label_owner, copied_take):
    user = label_owner.membership.user
    user.set_password(PASSWORD)
    user.save()
    page = new_page()
    log_in(page, "lena", PASSWORD)

    page.get_by_role("link", name="Matches").first.click()
    page.get_by_role("heading", name="Matches of your recordings").wait_for()
    assert "Secret Studio Song" not in page.content()
    page.get_by_role("link", name="Review the match of master.wav").click()

    page.get_by_role("heading", name="Match review").wait_for()
    plot = page.locator("svg.chart.alignment")
    assert plot.is_visible() and plot.locator(".segment").count() >= 1
    audio = page.locator("audio[controls]")
    assert audio.count() >= 1 and "/audio/#t=" in audio.first.get_attribute("src")
    assert "Secret Studio Song" not in page.content()
    screenshot(page, "match-review")

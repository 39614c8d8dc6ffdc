"""The creator's journey in a real browser: log in, create, generate, select, edit, export,
download the evidence, verify the exported file on the public page; an outsider gets 404."""

from __future__ import annotations

import re
import zipfile

import pytest

from accounts.roles import Role
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.web.browser import log_in, screenshot
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _member(slug: str, username: str):
    membership = MembershipFactory(
        organisation=OrganisationFactory(slug=slug, name=slug.replace("-", " ").title()),
        role=Role.OWNER,
        user__username=username,
    )
    membership.user.set_password(PASSWORD)
    membership.user.save()
    return membership


def _create_and_generate(page) -> str:
    page.get_by_role("link", name="Works").first.click()
    page.get_by_text("No works yet").wait_for()
    page.get_by_label("Title").fill("Midnight Harbour")
    page.get_by_role("button", name="Create work").click()
    page.get_by_role("link", name="Midnight Harbour").click()
    work_url = page.url
    page.get_by_role("textbox", name="Prompt").fill("late-night jazz trio")
    page.get_by_role("textbox", name="Tags").fill("jazz, calm")
    page.get_by_role("spinbutton", name="Duration (seconds)").fill("4")
    page.get_by_role("spinbutton", name="Takes").fill("2")
    page.get_by_role("button", name="Generate").click()
    page.get_by_text("Generation of 2 take(s) started.").wait_for()
    return work_url


def _select_edit_export(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Select take")).nth(1).click()
    page.get_by_text(re.compile(r"Selected take \w+ over 1 alternative")).wait_for()
    take = page.locator("article.take").nth(1)
    take.get_by_text("Edit take").click()
    take.get_by_label("Edit", exact=True).select_option("fade")
    take.get_by_label("Fade in (s)").fill("0.5")
    take.get_by_label("Fade out (s)").fill("1")
    take.get_by_role("button", name="Apply edit").click()
    page.get_by_text(re.compile(r"Fade of take \w+ made take \w+")).wait_for()
    edited = page.locator("article.take").last
    edited.get_by_text("Export take").click()
    edited.get_by_label("Format").select_option("wav")
    edited.get_by_role("button", name="Export").click()
    page.get_by_text(re.compile(r"Exported take \w+ as WAV")).wait_for()


def test_creator_journey_in_the_browser(new_page, tmp_path):
    _member("aurora-studio", "ada")
    page = new_page()
    log_in(page, "ada", PASSWORD)
    work_url = _create_and_generate(page)
    assert page.locator("audio[controls]").count() == 2
    _select_edit_export(page)
    assert page.get_by_role("heading", name="Authorship assessment").is_visible()
    assert page.locator("ol.timeline li").filter(has_text="chose take").count() == 1
    screenshot(page, "work-page")

    with page.expect_download() as evidence:
        page.get_by_role("link", name="Download evidence").click()
    bundle = tmp_path / "evidence.zip"
    evidence.value.save_as(bundle)
    assert zipfile.is_zipfile(bundle)
    with page.expect_download() as exported:
        page.get_by_role("link", name=re.compile(r"Download WAV of take")).click()
    song = tmp_path / "song.wav"
    exported.value.save_as(song)

    page.get_by_role("link", name="Works").first.click()
    screenshot(page, "works-list")

    page.get_by_role("link", name="Verify").click()
    page.get_by_label("File or evidence bundle").set_input_files(str(song))
    page.get_by_role("button", name="Verify").click()
    verdict = page.get_by_test_id("verdict")
    assert verdict.inner_text() == "This file was made with SongProof and its label is intact."
    page.get_by_text("Technical details").click()
    screenshot(page, "verify-result")

    page.get_by_label("File or evidence bundle").set_input_files(str(bundle))
    page.get_by_role("button", name="Verify").click()
    assert "evidence bundle is intact" in page.get_by_test_id("verdict").inner_text()

    _member("northwind-records", "nora")
    outsider = new_page()
    log_in(outsider, "nora", PASSWORD)
    response = outsider.goto(work_url)
    assert response.status == 404
    assert outsider.get_by_role("heading", name="Not found").is_visible()
    assert "Midnight Harbour" not in outsider.content()

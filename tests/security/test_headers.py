"""HTTP security: headers on pages and API, CSRF on forms, `check --deploy` for production."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.config.test_settings import PRODUCTION, ROOT
from tests.web.conftest import logged_in

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"


@pytest.mark.parametrize("url", ["/login/", "/verify/", "/api/health/", "/api/me/", "/api/docs/"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in response[CSP]
    assert "unsafe-inline" not in response[CSP]


def test_member_pages_carry_the_policy_too(owner):
    response = logged_in(owner).get(reverse("web:work-list"))

    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response[CSP]


def test_templates_have_no_inline_script_or_style():
    # The policy forbids inline script and style; a template that used them would break.
    folder = ROOT / "web" / "templates"
    for template in folder.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<script>" not in text, template
        assert " style=" not in text and "<style" not in text, template
        assert " onclick=" not in text and " onsubmit=" not in text, template


def test_page_form_without_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.membership.user)

    response = client.post(reverse("web:work-list"), {"title": "Forged", "training_use": "notAllowed"})

    assert response.status_code == 403


def test_page_form_with_its_csrf_token_is_accepted(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.membership.user)
    client.get(reverse("web:work-list"))
    token = client.cookies["csrftoken"].value

    form = {"title": "Genuine", "training_use": "notAllowed", "csrfmiddlewaretoken": token}
    response = client.post(reverse("web:work-list"), form)

    assert response.status_code == 302


def _deploy_check(**variables) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    env |= PRODUCTION | {"SECRET_KEY": secrets.token_urlsafe(64)} | variables
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_for_production_settings(tmp_path):
    result = _deploy_check(SONGPROOF_VAR_DIR=str(tmp_path / "var"))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_the_ssl_redirect_is_turned_off(tmp_path):
    result = _deploy_check(SONGPROOF_VAR_DIR=str(tmp_path / "var"), SECURE_SSL_REDIRECT="false")

    assert result.returncode != 0
    assert "security.W008" in result.stderr

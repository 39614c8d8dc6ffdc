import pytest
from django.db import connection

from config.celery import app as celery_app


@pytest.mark.django_db
def test_health_is_public_and_reports_each_check(anonymous):
    response = anonymous.get("/api/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "detail": connection.vendor}
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_unreachable(anonymous, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    # Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")

    response = anonymous.get("/api/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True

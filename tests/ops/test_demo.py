import json
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import ApiToken, Organisation
from legal.models import Licence, Party, RoyaltyStatement


@pytest.fixture(autouse=True)
def _demo_files_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_demo_runs_the_journey_and_prints_one_json_document(capsys, tmp_path):
    call_command("demo", "--json")

    summary = json.loads(capsys.readouterr().out)
    assert summary["organisation"]["slug"] == "aurora-studio"
    assert summary["health"]["status"] == "ok"
    assert summary["isolation"] == {"owner_status": 200, "outsider_status": 404}
    assert summary["work"]["title"] == "Midnight Harbour"
    assert len(summary["takes"]) == 3
    assert summary["export"]["format"] == "flac"
    assert summary["replay"]["identical"] is True
    assert summary["catalogue"]["ingestion"]["counts"]["ingested"] == 3
    assert summary["match"]["matches"][0]["source_path"] == "recording-2.wav"
    royalties = summary["royalties"]
    assert royalties["currency"] == "EUR" and royalties["amount_minor"] == 30000  # 30 % of 1,000.00
    assert sum(t["total_minor"] for t in royalties["totals"]) == royalties["amount_minor"]
    assert {t["name"] for t in royalties["totals"]} == {"Northwind Records", "Mira Stone", "Theo Vance"}
    service = summary["verification_service"]
    assert service["export"] == {"recovered_by": "manifest", "c2pa_state": "trusted"}
    assert service["stripped_mp3"]["recovered_by"] == "soft_binding"
    assert service["stripped_mp3"]["work"] == summary["work"]["id"]
    assert service["stripped_mp3"]["export"] == summary["export"]["id"]
    assert summary["verification"]["ok"] is True
    assert summary["verification"]["exit_code"] == 0
    assert any(c["name"] == "keys.pinned" and c["ok"] for c in summary["verification"]["checks"])
    assert summary["bundle"].startswith(str(tmp_path))
    factors = summary["assessment"]["factors"]
    assert factors["selection"] == 1 and factors["iterative_modification"] == 2
    assert factors["prompt_design"] == 1 and factors["expressive_inputs"] == 1
    assert "not legal advice" in summary["assessment"]["disclaimer"]
    training = summary["training_summary"]
    # The studio holds the licence granted in the royalties step: its scan finds licensed data.
    assert training["counts"]["licensed"] == 3 and training["counts"]["no_match"] == 1
    assert training["html"].startswith(str(tmp_path)) and training["to_complete"] > 0
    assert "3.1 Respect of reservation of rights" in Path(training["html"]).read_text(encoding="utf-8")
    assert Organisation.objects.filter(slug__in=summary["organisations"]).count() == 3


@pytest.mark.django_db(transaction=True)
def test_demo_can_run_twice_and_revokes_its_previous_tokens(capsys):
    call_command("demo", "--json")
    first = json.loads(capsys.readouterr().out)["token"]["token"]
    call_command("demo", "--json")
    second = json.loads(capsys.readouterr().out)["token"]["token"]

    assert first != second
    assert Licence.objects.count() == 1 and Party.objects.count() == 3  # reused, not granted twice
    assert RoyaltyStatement.objects.count() == 2
    assert Organisation.objects.count() == 3
    active_demo_tokens = ApiToken.objects.filter(name="demo", revoked_at__isnull=True)
    assert active_demo_tokens.count() == 5  # one per demo member

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from generation.models import Take
from provenance.models import ContributionEvent

pytestmark = pytest.mark.django_db


def test_generate_prints_the_cli_contract_and_records_every_step(owner, capsys):
    call_command(
        "generate",
        "--org",
        "aurora-studio",
        "--prompt",
        "night drive",
        "--tags",
        "electronic",
        "dark",
        "--takes",
        "2",
        "--duration",
        "6",
        "--seed",
        "4",
        "--json",
    )

    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"work", "request", "takes"}
    assert [set(t) for t in result["takes"]] == [{"id", "path", "sha256", "duration_s"}] * 2
    for take in result["takes"]:
        assert Path(take["path"]).read_bytes()[:4] == b"RIFF"
        assert Take.objects.get(pk=take["id"]).sha256 == take["sha256"]
    kinds = list(ContributionEvent.objects.filter(work_id=result["work"]).values_list("kind", flat=True))
    assert kinds == ["work.created", "prompt", "parameters", "generation", "check", "check"]


def test_replay_command_reports_identical_bytes(owner, capsys):
    call_command("generate", "--org", "aurora-studio", "--prompt", "x", "--duration", "4", "--json")
    take_id = json.loads(capsys.readouterr().out)["takes"][0]["id"]

    call_command("replay", "--take", take_id, "--json")

    assert json.loads(capsys.readouterr().out)["identical"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nowhere", "--prompt", "x"], "no organisation 'nowhere'"),
        (["--org", "aurora-studio", "--prompt", "x", "--tags", "polka"], "unknown tag 'polka'"),
        (["--org", "aurora-studio", "--prompt", "x", "--takes", "99"], "takes must be"),
        (["--org", "aurora-studio", "--prompt", "x", "--backend", "musicgen"], "GENERATION_MUSICGEN_DIR"),
        (["--org", "aurora-studio", "--prompt", "x", "--user", "zed"], "no member 'zed'"),
    ],
)
def test_generate_refuses_bad_input_clearly(owner, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate", *args)
    assert not Take.objects.exists()


def test_replay_of_an_unknown_take_fails_cleanly(db):
    with pytest.raises(CommandError, match="no take"):
        call_command("replay", "--take", "not-a-take")

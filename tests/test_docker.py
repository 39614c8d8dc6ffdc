import shutil
import subprocess
from pathlib import Path

import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[1] / "docker" / "compose.yml"


def _compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    assert legacy, "neither `docker compose` nor docker-compose found (make test installs docker-compose)"
    return [legacy]


def test_compose_file_validates_with_every_service():
    result = subprocess.run(
        [*_compose_command(), "-f", str(COMPOSE_FILE), "config"], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert set(config["services"]) == {"web", "worker", "gpu-worker", "postgres", "redis"}
    gpu = config["services"]["gpu-worker"]
    assert gpu["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert (
        "-Q gpu" in " ".join(gpu["command"])
        if isinstance(gpu["command"], list)
        else "-Q gpu" in gpu["command"]
    )
    web_env = config["services"]["web"]["environment"]
    assert web_env["SONGPROOF_ENV"] == "production"
    assert "SECRET_KEY" not in web_env  # the key comes from a secret file, never the compose file

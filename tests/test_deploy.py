"""docker-compose.yml, the Dockerfile, .env.example, the README and the code agree.

No container engine runs in CI, so this test holds the compose file to the code: every
command and health check goes through deploy/entrypoint.sh with a sub-command it knows,
and every variable is read by the settings or the entrypoint and documented.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
ENTRYPOINT = (ROOT / "deploy" / "entrypoint.sh").read_text()
SETTINGS = (ROOT / "phocap" / "settings.py").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()
README = (ROOT / "README.md").read_text()
APP_SERVICES = {name: svc for name, svc in COMPOSE["services"].items() if "build" in svc}


def _case_labels(block: str) -> set[str]:
    return set(re.findall(r"^\s+([a-z|]+)\)", block, re.M)) - {"*"}


def _subcommands() -> set[str]:
    labels = set()
    for label in _case_labels(ENTRYPOINT):
        labels.update(label.split("|"))
    return labels


def _env_example_names() -> set[str]:
    # Commented "# NAME=value" lines are the ones docker-compose.yml sets for its containers.
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))


def _read_by_code(name: str) -> bool:
    return f'"{name}"' in SETTINGS or f"${{{name}" in ENTRYPOINT or name in {"PORT"}


def test_app_services_run_through_the_entrypoint():
    assert 'ENTRYPOINT ["deploy/entrypoint.sh"]' in DOCKERFILE
    assert {"migrate", "web", "worker", "beat"} <= set(APP_SERVICES)
    for name, service in APP_SERVICES.items():
        command = service["command"]
        assert command[0] in _subcommands(), (name, command)


def test_every_health_check_exists():
    healthcheck_block = ENTRYPOINT.split("healthcheck)", 1)[1].split(";;\n  *)", 1)[0]
    kinds = _case_labels(healthcheck_block)
    for name, service in COMPOSE["services"].items():
        test = service.get("healthcheck", {}).get("test")
        if name in APP_SERVICES and name != "migrate":
            assert test and test[:3] == ["CMD", "deploy/entrypoint.sh", "healthcheck"], name
            assert test[3] in kinds, (name, test)
            assert (ROOT / "deploy" / "healthcheck.py").is_file()


def test_every_variable_is_read_by_the_code_and_documented():
    names = set(_env_example_names())
    for service in APP_SERVICES.values():
        names.update(service.get("environment", {}))
    names.update(re.findall(r"\b([A-Z][A-Z0-9_]+)=", DOCKERFILE.split("ENV", 1)[1].split("WORKDIR")[0]))
    names -= {"PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}
    assert names, "no variables found"
    unread = sorted(n for n in names if not _read_by_code(n))
    assert not unread, f"set but never read: {unread}"
    config = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    undocumented = sorted(n for n in names if f"`{n}`" not in config and n.split("_")[0] + "_*" not in config)
    assert not undocumented, f"missing from README's Configuration table: {undocumented}"


def test_every_variable_the_settings_read_is_in_env_example():
    read = set(re.findall(r'env_(?:bool|int|str|list|choice)\("([A-Z0-9_]+)"', SETTINGS))
    assert read
    missing = sorted(read - _env_example_names())
    assert not missing, f"read by settings but not in .env.example: {missing}"


def test_dockerignore_keeps_secrets_and_data_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".venv/", "db.sqlite3*", "media/", "staticfiles/", "var/", ".git/"):
        assert entry in ignored


def test_env_example_reads_the_same_in_a_shell_and_in_the_settings():
    """The production smoke sources .env.example with sh (`set -a; . ./.env.example`), compose
    and django-environ read it as KEY=VALUE: a value with spaces or <> must be quoted."""
    import subprocess

    out = subprocess.run(["sh", "-c", "set -a; . ./.env.example && env -0"], cwd=ROOT,  # noqa: S603,S607
                         capture_output=True, check=True).stdout.decode()
    shell = dict(line.split("=", 1) for line in out.split("\0") if "=" in line)
    env_file = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env_file[key] = value.strip('"')
    assert {k: shell.get(k) for k in env_file} == env_file

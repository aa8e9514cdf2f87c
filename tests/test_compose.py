"""The production containers, checked as files: no Docker engine runs here, so
these tests read docker-compose.yml, the Dockerfile and the env examples and hold
them to what the settings need."""

from __future__ import annotations

import json
import re
import shlex
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

APP_SERVICES = ["migrate", "web", "worker", "beat"]
LONG_RUNNING_SERVICES = ["db", "redis", "web", "worker", "beat"]
SERVICES_AFTER_MIGRATE = ["web", "worker", "beat"]

# Without these the settings refuse to start with DEBUG off (SECRET_KEY), answer
# no request (ALLOWED_HOSTS) or quietly fall back to the embedded SQLite,
# filesystem broker and file-based e-mail.
REQUIRED_IN_PRODUCTION = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
]
FALSE_STRINGS = {"false", "off", "no", "n", "0"}

# Read by compose, PostgreSQL or gunicorn rather than by settings.py.
CONTAINER_VARIABLES = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "WEB_CONCURRENCY"}

# env.str("X", ...), env.bool("X"), env.db_url("X"), ... and `"X" in env`.
SETTINGS_READ = re.compile(
    r'\benv(?:\.[a-z_]+)?\(\s*"(?P<call>[A-Z][A-Z0-9_]*)"|"(?P<test>[A-Z][A-Z0-9_]*)"\s+in\s+env\b'
)
# A KEY=value line, commented out or not: commented ones document an optional setting.
DOCUMENTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
# ${NAME}, ${NAME:-default}, ${NAME:?error}; $${NAME} is escaped for the container.
INTERPOLATED = re.compile(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)[:?}-]")


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def command_of(name: str) -> list[str]:
    """The service's command, or the image's CMD when the service sets none."""
    command = service(name).get("command")
    if command is None:
        return dockerfile_cmd()
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def dockerfile_cmd() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    commands = re.findall(r"^CMD\s+(.+)$", text, re.MULTILINE)
    assert commands, "The Dockerfile has no CMD."
    return json.loads(commands[-1])


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as compose reads them; comments and blank lines skipped."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def env_files_of(name: str) -> list[str]:
    entries = service(name).get("env_file", [])
    entries = [entries] if isinstance(entries, str | dict) else entries
    paths = []
    for entry in entries:
        if isinstance(entry, dict):
            assert entry.get("required", True), f"{name}: {entry['path']} must be required."
            entry = entry["path"]
        paths.append(entry)
    return paths


def environment_of(name: str) -> dict[str, str]:
    environment = service(name).get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {key: str(value) for key, value in environment.items()}


def production_environment(name: str) -> dict[str, str]:
    """What the service's containers see, with each env file read from its committed
    `.example`; `environment:` wins over env files, as in compose."""
    values: dict[str, str] = {}
    for path in env_files_of(name):
        values.update(read_env_file(ROOT / f"{path}.example"))
    values.update(environment_of(name))
    return values


def strings_in(node: object) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings_in(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings_in(value)]
    return [node] if isinstance(node, str) else []


def without_interpolation(value: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "placeholder", value)


def settings_variables() -> set[str]:
    source = (ROOT / "insightboard" / "settings.py").read_text()
    return {match["call"] or match["test"] for match in SETTINGS_READ.finditer(source)}


def documented_variables(path: Path) -> set[str]:
    return set(DOCUMENTED.findall(path.read_text()))


def test_compose_defines_the_database_broker_migration_web_worker_and_beat():
    assert set(compose()["services"]) >= {"db", "redis", "migrate", "web", "worker", "beat"}


@pytest.mark.parametrize("name", LONG_RUNNING_SERVICES)
def test_long_running_service_has_a_health_check(name):
    healthcheck = service(name).get("healthcheck") or {}

    assert not healthcheck.get("disable")
    assert healthcheck.get("test") not in (None, [], ["NONE"])


def test_migrate_runs_once_without_a_health_check_after_the_database_is_healthy():
    migrate = service("migrate")
    healthcheck = migrate.get("healthcheck") or {}

    assert command_of("migrate")[:3] == ["python", "manage.py", "migrate"]
    assert "--noinput" in command_of("migrate")
    assert migrate.get("restart") == "no"
    assert not healthcheck or healthcheck.get("disable") is True
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"


def test_redis_keeps_queued_tasks_and_never_evicts_them():
    command = " ".join(command_of("redis"))

    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command


def test_web_runs_gunicorn_on_port_8000_and_checks_healthz():
    command = command_of("web")
    probe = " ".join(service("web")["healthcheck"]["test"])

    assert command[0] == "gunicorn"
    assert "insightboard.wsgi:application" in command
    assert "0.0.0.0:8000" in command
    assert any(str(port).endswith(":8000") for port in service("web")["ports"])
    assert "/healthz" in probe
    assert "8000" in probe


def test_worker_runs_a_celery_worker():
    command = command_of("worker")

    assert command[:3] == ["celery", "-A", "insightboard"]
    assert "worker" in command


def test_beat_runs_celery_beat():
    command = command_of("beat")

    assert command[:3] == ["celery", "-A", "insightboard"]
    assert "beat" in command


@pytest.mark.parametrize("name", SERVICES_AFTER_MIGRATE)
def test_service_starts_after_migrations_on_a_healthy_database_and_redis(name):
    depends_on = service(name).get("depends_on")

    assert isinstance(depends_on, dict), "depends_on needs conditions, so the long form."
    conditions = {dependency: spec.get("condition") for dependency, spec in depends_on.items()}
    assert conditions["migrate"] == "service_completed_successfully"
    assert conditions["db"] == "service_healthy"
    assert conditions["redis"] == "service_healthy"


def test_named_volumes_are_declared_and_every_one_is_used():
    declared = set(compose().get("volumes") or {})
    used = set()
    for definition in compose()["services"].values():
        for volume in definition.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/", "~")):
                used.add(source)

    assert declared
    assert used == declared


@pytest.mark.parametrize(
    ("name", "data_dir"), [("db", "/var/lib/postgresql/data"), ("redis", "/data")]
)
def test_service_keeps_its_data_in_a_named_volume(name, data_dir):
    declared = set(compose().get("volumes") or {})
    mounts = {
        volume.split(":")[1]: volume.split(":")[0]
        for volume in service(name).get("volumes", [])
        if isinstance(volume, str)
    }

    assert mounts.get(data_dir) in declared


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_uses_the_one_image_and_the_production_env_file(name):
    definition = service(name)

    assert definition["image"] == "insightboard:latest"
    assert definition["build"] in (".", {"context": "."})
    assert env_files_of(name) == [".env.production"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_gets_every_variable_production_requires(name):
    environment = production_environment(name)

    missing = [variable for variable in REQUIRED_IN_PRODUCTION if not environment.get(variable)]
    assert not missing, f"{name} lacks {missing}"
    assert environment["DEBUG"].lower() in FALSE_STRINGS


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_reaches_the_compose_database_and_redis(name):
    environment = production_environment(name)
    database = urlsplit(without_interpolation(environment["DATABASE_URL"]))
    broker = urlsplit(environment["REDIS_URL"])

    assert database.scheme in {"postgres", "postgresql"}
    assert (database.hostname, database.port) == ("db", 5432)
    assert broker.scheme == "redis"
    assert (broker.hostname, broker.port) == ("redis", 6379)


def test_every_variable_compose_fills_in_is_set_in_the_production_example():
    # Compose fills ${...} from --env-file .env.production, not from env_file:.
    interpolated = {name for text in strings_in(compose()) for name in INTERPOLATED.findall(text)}
    example = read_env_file(ROOT / ".env.production.example")

    assert interpolated
    assert interpolated <= set(example)


def test_production_example_names_only_variables_something_reads():
    # Catches a typo such as ALLOWED_HOST, which would silently leave the default.
    documented = documented_variables(ROOT / ".env.production.example")

    assert documented - settings_variables() - CONTAINER_VARIABLES == set()


def test_every_variable_settings_read_is_documented_in_the_env_example():
    read = settings_variables()
    documented = documented_variables(ROOT / ".env.example")

    # Guards the regex: if it stopped matching, the comparison would pass vacuously.
    assert set(REQUIRED_IN_PRODUCTION) <= read
    assert read - documented == set()


def test_image_runs_as_a_non_root_user_and_collects_static_files_at_build():
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)

    assert users
    assert users[-1] not in {"root", "0", "0:0"}
    assert re.search(r"^RUN .*manage\.py collectstatic --noinput", text, re.MULTILINE)

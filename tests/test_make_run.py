"""`make run` is the demo: the app's own error pages (DEBUG off) and e-mail links on
the port it serves, unless the environment or .env says otherwise. Checked with
`make -n`, from a copy of the Makefile so a .env can be tried without touching the
checkout's, and by loading the settings with what make would give."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from itertools import takewhile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Variables make or the settings would otherwise pick up from whoever runs the tests.
OURS = {"SITE_URL", "DEBUG", "SECRET_KEY", "VAR_DIR", "DJANGO_SETTINGS_MODULE"}
MAKE_OWN = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def clean_environment(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in OURS | MAKE_OWN}
    return {**clean, **env}


def checkout(tmp_path: Path, dotenv: str | None = None) -> Path:
    """A folder with the Makefile and, when given, a .env: all `make -n` reads."""
    shutil.copy(ROOT / "Makefile", tmp_path)
    for name in ("pyproject.toml", "constraints.txt"):
        (tmp_path / name).touch()
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv)
    return tmp_path


def run_commands(folder: Path, **env: str) -> dict[str, dict[str, str]]:
    """Each manage.py command and honcho that `make run PORT=8101` would start,
    with the variables the Makefile puts in front of it."""
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8101"],
        cwd=folder,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    commands = {}
    for line in result.stdout.splitlines():
        words = shlex.split(line)
        assignments = list(takewhile(ASSIGNMENT.match, words))
        variables = dict(word.split("=", 1) for word in assignments)
        program = words[len(assignments) :]
        if "manage.py" in program:
            commands[program[program.index("manage.py") + 1]] = variables
        elif program and program[0].endswith("/honcho"):
            commands["honcho"] = variables
    return commands


def test_every_process_of_make_run_gets_its_port_in_site_url_and_debug_off(tmp_path):
    commands = run_commands(checkout(tmp_path))

    assert list(commands) == ["migrate", "createcachetable", "collectstatic", "load_demo", "honcho"]
    for variables in commands.values():
        assert variables["SITE_URL"] == "http://localhost:8101"
        assert variables["DEBUG"] == "false"
        assert variables["SECRET_KEY"] == "$(cat var/secret_key)"


def test_make_run_leaves_site_url_debug_and_secret_key_from_the_environment_alone(tmp_path):
    commands = run_commands(
        checkout(tmp_path), SITE_URL="https://demo.example.com", DEBUG="true", SECRET_KEY="k"
    )

    for variables in commands.values():
        assert not {"SITE_URL", "DEBUG", "SECRET_KEY"} & set(variables)


def test_make_run_leaves_what_a_dotenv_sets_alone_but_fills_in_its_empty_secret_key(tmp_path):
    # A .env copied from .env.example: DEBUG=true, a SITE_URL and an empty SECRET_KEY.
    folder = checkout(tmp_path, dotenv=(ROOT / ".env.example").read_text())

    for variables in run_commands(folder).values():
        assert not {"SITE_URL", "DEBUG"} & set(variables)
        assert variables["SECRET_KEY"] == "$(cat var/secret_key)"


def test_the_secret_key_is_generated_once_under_the_ignored_var_folder(tmp_path):
    folder = checkout(tmp_path)
    make = ["make", "var/secret_key", f"VENV={ROOT / '.venv'}"]
    env = clean_environment()

    subprocess.run(make, cwd=folder, env=env, check=True, capture_output=True, timeout=30)
    key = (folder / "var" / "secret_key").read_text().strip()
    subprocess.run(make, cwd=folder, env=env, check=True, capture_output=True, timeout=30)

    assert len(key) >= 50
    assert (folder / "var" / "secret_key").read_text().strip() == key
    assert (folder / "var" / "secret_key").stat().st_mode & 0o077 == 0
    assert "var/" in (ROOT / ".gitignore").read_text().splitlines()


def test_with_what_make_run_gives_an_unknown_address_shows_our_own_404_page(tmp_path):
    variables = run_commands(checkout(tmp_path))["honcho"]
    env = {
        "SITE_URL": variables["SITE_URL"],
        "DEBUG": variables["DEBUG"],
        "SECRET_KEY": "a-key-only-for-this-test-" + "x" * 40,
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "insightboard.settings",
    }
    # As `make run` does: collect static files, then ask as a browser on that port would.
    code = (
        "import re, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "from django.test import Client\n"
        "call_command('collectstatic', '--noinput', verbosity=0)\n"
        "client = Client(HTTP_HOST='localhost:8101')\n"
        "page = client.get('/no-such-page/')\n"
        'css = re.search(r\'href="(/static/css/app[^"]*)"\', page.text)[1]\n'
        "print(settings.SITE_URL, page.status_code, client.get(css).status_code)\n"
        "print(page.text)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    summary, page = result.stdout.split("\n", 1)
    assert summary == "http://localhost:8101 404 200"
    assert "This page doesn't exist, or it belongs to a team you're not in." in page
    assert "Using the URLconf" not in page

"""Settings come from the environment: embedded defaults with nothing set,
PostgreSQL/Redis when their URLs are given, a clean `check --deploy` in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "DATABASE_URL",
    "REDIS_URL", "EMAIL_URL", "HTTPS", "VAR_DIR", "DJANGO_SETTINGS_MODULE", "CONN_MAX_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests, never in a deployment
    "WEBHOOK_ALLOW_HTTP",
}  # fmt: skip
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-" + "y" * 20,
    "ALLOWED_HOSTS": "insights.example.com",
    "HTTPS": "true",
    "DATABASE_URL": "postgres://app:secret@db.internal:5432/insightboard",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
}


def run(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OURS}
    clean.update({"VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(env: dict[str, str], tmp_path: Path) -> dict:
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'insightboard.settings'\n"
        "from django.conf import settings as s\n"
        "db = s.DATABASES['default']\n"
        "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']),"
        " 'conn_max_age': db.get('CONN_MAX_AGE', 0), 'health': db.get('CONN_HEALTH_CHECKS', False),"
        " 'broker': s.CELERY_BROKER_URL, 'email': s.EMAIL_BACKEND, 'debug': s.DEBUG,"
        " 'email_host': getattr(s, 'EMAIL_HOST', ''), 'secure_cookie': s.SESSION_COOKIE_SECURE}))"
    )
    result = run(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_runs_embedded_without_any_server(tmp_path):
    values = settings_with({}, tmp_path)

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "var" / "db.sqlite3")
    assert values["broker"].startswith("filesystem://")
    assert values["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert (tmp_path / "var" / "mail").is_dir()
    assert (tmp_path / "var" / "celery" / "queue").is_dir()


def test_database_and_redis_urls_switch_to_postgres_and_redis(tmp_path):
    values = settings_with(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/insightboard",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        },
        tmp_path,
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["conn_max_age"] >= 60
    assert values["health"] is True
    assert values["broker"] == "redis://127.0.0.1:6379/3"


def test_email_url_configures_smtp(tmp_path):
    values = settings_with({"EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587"}, tmp_path)

    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["email_host"] == "smtp.example.com"


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='insightboard.settings';"
                 " django.setup()", env, tmp_path)  # fmt: skip

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_with_plain_http_webhooks_allowed(tmp_path):
    env = {**PRODUCTION, "WEBHOOK_ALLOW_HTTP": "true"}
    result = run("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='insightboard.settings';"
                 " django.setup()", env, tmp_path)  # fmt: skip

    assert result.returncode != 0
    assert "WEBHOOK_ALLOW_HTTP=true is for development" in result.stderr


def test_production_passes_check_deploy_with_zero_warnings(tmp_path):
    code = (
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = run(
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='insightboard.settings'\n" + code,
        PRODUCTION,
        tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert settings_with(PRODUCTION, tmp_path)["secure_cookie"] is True


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HTTPS": "ture"}, "HTTPS='ture'"),
        ({"DEBUG": "flase"}, "DEBUG='flase'"),
        ({"HTTPS": "true", "SECURE_HSTS_PRELOAD": ""}, "SECURE_HSTS_PRELOAD=''"),
    ],
)
def test_a_misspelt_boolean_stops_the_start_naming_the_variable_and_its_value(env, named, tmp_path):
    result = run(
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'insightboard.settings'\n"
        "from django.conf import settings; settings.DEBUG",
        env,
        tmp_path,
    )

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {named} is not a boolean" in result.stderr


@pytest.mark.parametrize("value", ["FALSE", "0", "no", " Off "])
def test_debug_spelt_false_in_any_accepted_way_is_off(value, tmp_path):
    env = {"DEBUG": value, "SECRET_KEY": PRODUCTION["SECRET_KEY"]}

    assert settings_with(env, tmp_path)["debug"] is False


@pytest.mark.parametrize("value", ["True", "1", "yes"])
def test_https_spelt_true_in_any_accepted_way_secures_the_cookies(value, tmp_path):
    assert settings_with({"HTTPS": value}, tmp_path)["secure_cookie"] is True


@pytest.mark.parametrize("directive", ["script-src", "style-src"])
def test_content_security_policy_allows_no_inline_code(settings, directive):
    sources = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"][directive]

    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources

"""Production settings: what `DJANGO_DEBUG=0` turns on, checked on real answers.

The `production` fixture runs aftercare/settings.py afresh with a production environment
and applies its security settings to the test run, so these tests read what a clinic's
server would send (behind a proxy that says X-Forwarded-Proto: https), not a copy."""

import datetime
import io
import logging
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

from aftercare.models import ShareLink
from aftercare.redact import HideClientLinks
from tests.conftest import builtin

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-only-" + "k7Qz1pX9vR3mW8tY2nB6cF4hJ0sL5dG" * 2,
    "DJANGO_ALLOWED_HOSTS": "aftercare.example.com,testserver",
}
# The settings DJANGO_DEBUG=0 decides; the rest (database, storage, hashers) stay the tests'.
DECIDED_BY_PRODUCTION = re.compile(r"^(DEBUG|ALLOWED_HOSTS|SECURE_.*|SESSION_COOKIE_.*|CSRF_COOKIE_.*|CONTENT_SECURITY_POLICY|X_FRAME_OPTIONS|MIDDLEWARE)$")
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture
def production(settings, monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    decided = runpy.run_path(str(ROOT / "aftercare" / "settings.py"))
    for name, value in decided.items():
        if DECIDED_BY_PRODUCTION.match(name):
            setattr(settings, name, value)
    assert settings.DEBUG is False and settings.SECURE_SSL_REDIRECT is True
    return decided


def assert_hardened(response) -> None:
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_check_deploy_reports_no_issues_with_production_settings():
    env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "aftercare.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' own, never a server's
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_plain_http_is_sent_to_https(client, production, db):
    response = client.get("/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"


def test_the_login_page_is_hardened(client, production, db):
    response = client.get("/login/", headers=HTTPS)
    assert response.status_code == 200
    assert_hardened(response)


def test_a_therapist_page_is_hardened(client, production, therapist, visit):
    client.force_login(therapist.user)
    response = client.get(reverse("aftercare:visit-homework", args=[visit.pk]), headers=HTTPS)
    assert response.status_code == 200
    assert_hardened(response)


def test_the_client_link_page_is_hardened(client, production, visit):
    visit.assign(builtin("chin-tucks"))
    response = client.get(ShareLink.issue(visit.client), headers=HTTPS)
    assert response.status_code == 200
    assert_hardened(response)
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_wrong_client_link_is_hardened_too(client, production, db):
    response = client.get("/h/not-a-real-token/", headers=HTTPS)
    assert response.status_code == 404
    assert_hardened(response)


def test_static_files_are_served_by_whitenoise_hashed_compressed_and_hardened(client, production, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": production["STORAGES"]["staticfiles"]}
    # Only our own stylesheets and scripts: compressing the admin's, Bootstrap and the
    # exercise pictures would add seconds and prove nothing more.
    ignore = ["admin", "vendor", "exercises", "img"]
    call_command("collectstatic", "--no-input", verbosity=0, ignore_patterns=ignore)
    url = static("css/aftercare.css")
    assert re.fullmatch(r"/static/css/aftercare\.[0-9a-f]{12}\.css", url)

    response = client.get(url, headers={**HTTPS, "Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_cookies_after_login_are_secure_and_out_of_scripts_reach(client, production, therapist):
    page = client.get("/login/", headers=HTTPS)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"

    response = client.post(
        "/login/",
        {"username": "robin", "password": "password", "csrfmiddlewaretoken": csrf.value},
        headers={**HTTPS, "Origin": "https://testserver"},
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_healthz_answers_200_while_the_database_answers(client, production, db):
    # Plain HTTP, by the app's own address (not in ALLOWED_HOSTS): how a balancer probes.
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_answers_503_when_the_database_does_not(client, production, db, monkeypatch):
    def unreachable():
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", unreachable)
        response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 503


def test_other_unknown_hosts_are_still_refused(client, production, db):
    assert client.get("/login/", HTTP_HOST="10.0.0.5:8000", headers=HTTPS).status_code == 400


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(str(p.relative_to(ROOT / "templates")) for p in (ROOT / "templates").rglob("*.html")))
def test_no_template_has_inline_scripts_handlers_or_styles(template):
    text = (ROOT / "templates" / template).read_text()
    assert not INLINE_SCRIPT.search(text)
    assert not INLINE_HANDLER.search(text)
    assert not INLINE_STYLE.search(text)


def test_the_500_page_takes_its_looks_from_a_stylesheet():
    html = render_to_string("500.html")
    assert "/static/css/aftercare.css" in html
    assert "style=" not in html


@pytest.mark.browser
def test_the_admin_works_under_the_content_security_policy(page, db, visit):
    """The page fixture fails on any console error, and Chromium reports every refused
    inline script or style there."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("support", "support@example.com", "password")
    visit.assign(builtin("chin-tucks"))
    # The admin's pages name no icon, so Chromium asks for /favicon.ico; not our question.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    response = page.goto("/admin/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_label("Username").fill("support")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Homework items").click()
    page.get_by_role("link", name=re.compile("Chin")).first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    page.screenshots("admin-change-form")


@pytest.fixture
def console():
    """What the app's console log handlers write, for the length of a test."""
    written = io.StringIO()
    ours = {name: [h for h in logging.getLogger(name).handlers if any(isinstance(f, HideClientLinks) for f in h.filters)]
            for name in ("", "django.server")}
    assert all(ours.values()), "the root and runserver loggers write through the filter"
    assert logging.getLogger("django").handlers == [], "Django's unfiltered console handler is gone"
    handlers = [h for found in ours.values() for h in found]
    streams = [h.setStream(written) for h in handlers]
    yield written
    for handler, stream in zip(handlers, streams):
        handler.setStream(stream)


def test_a_wrong_client_link_is_logged_without_its_token(client, console, db):
    client.get("/h/Wr0ngT0kenGuess/")
    client.get("/h/Wr0ngT0kenGuess/handout.pdf")
    logged = console.getvalue()
    assert "Not Found: /h/…/" in logged and "Not Found: /h/…/handout.pdf" in logged
    assert "Wr0ngT0kenGuess" not in logged


def test_a_traceback_is_logged_without_the_token(console):
    try:
        raise ValueError("Couldn't render /h/S3cretT0ken/handout.pdf")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: %s", "/h/S3cretT0ken/handout.pdf")
    logged = console.getvalue()
    assert "Internal Server Error: /h/…/handout.pdf" in logged
    assert "ValueError: Couldn't render /h/…/handout.pdf" in logged and "Traceback" in logged
    assert "S3cretT0ken" not in logged


def test_runserver_request_lines_leave_out_the_token(console):
    logging.getLogger("django.server").info('"%s" %s %s', "GET /h/S3cretT0ken/?from=qr HTTP/1.1", "200", "812")
    assert '"GET /h/…/?from=qr HTTP/1.1" 200 812' in console.getvalue()
    assert "S3cretT0ken" not in console.getvalue()


def test_gunicorn_access_log_leaves_out_the_token():
    from gunicorn.config import Config

    access_logger = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["AccessLogger"](Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/h/S3cretT0ken/", "PATH_INFO": "/h/S3cretT0ken/",
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": "https://x.example/h/S3cretT0ken/"}
    request = type("Request", (), {"headers": [], "method": "GET", "uri": "/h/S3cretT0ken/", "path": "/h/S3cretT0ken/",
                                   "query": "", "version": (1, 1)})()
    response = type("Response", (), {"status": "200 OK", "headers": [], "response_length": 10, "sent": 10})()
    atoms = access_logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))
    assert "S3cretT0ken" not in " ".join(str(v) for v in atoms.values())
    assert atoms["r"] == "GET /h/…/ HTTP/1.1"

    written = io.StringIO()
    handler = access_logger.error_log.handlers[0]
    stream = handler.setStream(written)
    try:
        access_logger.error("Error handling request %s", "/h/S3cretT0ken/handout.pdf")
    finally:
        handler.setStream(stream)
    assert "Error handling request /h/…/handout.pdf" in written.getvalue()
    assert "S3cretT0ken" not in written.getvalue()

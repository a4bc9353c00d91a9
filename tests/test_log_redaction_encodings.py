"""Issue 17, item 2: no client-link token reaches a log line, however the address is
encoded. The WSGI server percent-decodes the path before Django's resolver sees it, so
`GET /%68/<token>/` opens the page; gunicorn's access log writes the request line as it
came. The redaction decodes what it reads before matching, for every route under the link."""

import datetime
import io
import logging
import runpy
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from django.urls import get_resolver, resolve

from aftercare.models import ShareLink
from aftercare.redact import HideClientLinks, hide_client_links
from tests.conftest import builtin

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "S3cretT0ken_Xy-z"


def client_link_routes() -> list[str]:
    """Every route under the client's link, read from the resolver (a new one is covered
    by this test as soon as it exists): the path with TOKEN in it."""
    paths = []
    for pattern in get_resolver().url_patterns:
        route = str(pattern.pattern)
        if route.startswith("h/<str:token>/"):
            paths.append("/" + route.replace("<str:token>", TOKEN))
    assert len(paths) >= 4, paths
    return paths


def every_byte(path: str) -> str:
    return "".join(f"%{b:02X}" for b in path.encode())


ENCODINGS = {
    "the h": lambda p: p.replace("/h/", "/%68/", 1),
    "a lower-case escape": lambda p: p.replace("/h/", "/%68/", 1).replace("S3", "%53%33"),
    "the slashes": lambda p: p.replace("/h/", "/h%2F", 1).replace(f"{TOKEN}/", f"{TOKEN}%2f"),
    "every byte": every_byte,
    "the token itself": lambda p: p.replace(TOKEN, quote(TOKEN, safe="").replace("S", "%53")),
    "twice": lambda p: p.replace("/h/", "/%2568/", 1),
}


def cases():
    return [(route, name, encode(route)) for route in client_link_routes() for name, encode in ENCODINGS.items()]


@pytest.mark.parametrize("route,encoding,raw", cases())
def test_a_request_line_keeps_no_token_however_the_path_is_encoded(route, encoding, raw):
    if encoding != "twice":
        # What the WSGI server hands Django: the resolver takes it as the client's route.
        assert resolve(unquote(raw)).url_name.startswith("client-")
    line = f'203.0.113.9 [02/Dec/2026:00:00:00 +0000] "GET {raw} HTTP/1.1" 200 812 3ms "Mozilla/5.0"'
    cleaned = hide_client_links(line)
    assert TOKEN not in unquote(unquote(cleaned)), cleaned
    assert "/h/…" in cleaned
    assert cleaned.startswith("203.0.113.9 [02/Dec/2026:00:00:00 +0000] \"GET ")
    assert cleaned.endswith('" 200 812 3ms "Mozilla/5.0"')


def test_decoding_never_lets_an_address_write_a_line_of_its_own():
    line = f'"GET /%68/{TOKEN}/%0D%0A203.0.113.1%20forged%22 HTTP/1.1" 200'
    cleaned = hide_client_links(line)
    assert TOKEN not in cleaned and "\n" not in cleaned and "\r" not in cleaned
    assert cleaned == '"GET /h/…/%0D%0A203.0.113.1%20forged%22 HTTP/1.1" 200'


def test_lines_without_a_client_link_are_left_alone():
    line = '"GET /clients/?q=J%C3%B6rg%2Fh HTTP/1.1" 200 "GET /static/css/h%20x.css" /h1/ 100%'
    assert hide_client_links(line) == line


def test_the_percent_encoded_page_opens_so_its_address_is_a_key(client, visit):
    visit.assign(builtin("chin-tucks"))
    path = ShareLink.issue(visit.client)
    assert client.get(path.replace("/h/", "/%68/", 1)).status_code == 200


def gunicorn_atoms(raw: str) -> dict:
    from gunicorn.config import Config

    access_logger = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["AccessLogger"](Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": raw, "PATH_INFO": unquote(raw), "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": f"https://x.example{raw}"}
    request = type("Request", (), {"headers": [("REFERER", f"https://x.example{raw}")], "method": "GET", "uri": raw,
                                   "path": unquote(raw), "query": "", "version": (1, 1)})()
    response = type("Response", (), {"status": "200 OK", "headers": [], "response_length": 10, "sent": 10})()
    return access_logger, access_logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_gunicorns_access_and_error_logs_keep_no_token(encoding):
    raw = ENCODINGS[encoding](f"/h/{TOKEN}/handout.pdf")
    access_logger, atoms = gunicorn_atoms(raw)
    assert TOKEN not in unquote(unquote(" ".join(str(v) for v in atoms.values())))

    written = io.StringIO()
    handler = access_logger.error_log.handlers[0]
    stream = handler.setStream(written)
    try:
        access_logger.error("Error handling request %s", raw)
    finally:
        handler.setStream(stream)
    assert "Error handling request" in written.getvalue()
    assert TOKEN not in unquote(unquote(written.getvalue()))


def test_djangos_log_filter_hides_an_encoded_token():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s', (f"GET /%68/{TOKEN}/ HTTP/1.1", 200), None)
    HideClientLinks().filter(record)
    assert TOKEN not in record.getMessage()

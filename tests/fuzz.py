"""What the fuzz tests type into forms, and how it travels: Hypothesis strategies for each
kind of field, request bodies that can carry what a browser never would (lone surrogates,
NUL), and a small reader for the values a page's inputs hold.

Profiles: "ci" (the default: a modest number of examples per form so the suite stays fast,
and the same examples on every run, derived from each test's name, so a run can't fail on
an input no one has seen before) and "deep" for a long local hunt with fresh random inputs
each time: `HYPOTHESIS_PROFILE=deep pytest tests/test_fuzz_forms.py`. What "deep" finds
becomes a NASTY value or an example in the test, so the suite keeps it.
"""

from __future__ import annotations

import os
import secrets
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image

settings.register_profile(
    "ci",
    max_examples=30,
    derandomize=True,
    deadline=None,
    # The personas are made once per test and every example runs in a savepoint that is
    # rolled back, so sharing function-scoped fixtures between examples is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no .hypothesis folder left in the worktree; failures print their input
    print_blob=True,
)
settings.register_profile("deep", parent=settings.get_profile("ci"), max_examples=600, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Said once per kind of trouble; the strategies below mix these with Hypothesis' own text.
NASTY = [
    "",
    " ",
    "\x00",
    "Maya\x00",
    "\ud800",  # a lone surrogate: no browser sends it, a script can
    "half \udfff",
    "\u202eevil\u202c",  # right-to-left override
    "שלום עולם",
    "مرحبا بك",
    "👩🏽‍⚕️💆‍♀️🧘",
    "\ufeffbom",
    "zero\u200bwidth",
    "Z̴̧̛a̷̢͝l̸̨g̵o",
    "<script>alert(1)</script>",
    "<b>bold</b> &amp; <i>",
    '"><img src=x onerror=alert(1)>',
    "file:///etc/passwd",
    "javascript:alert(1)",
    "../../../etc/passwd",
    "{{ 7|add:7 }}{% debug %}",
    "%s %n %(x)s",
    "' OR 1=1 --",
    "line one\r\nline two\rthree\n",
    "\t\x0b\x0c\x1b[31m",
    "x" * 5_000,
    "ÿ" * 300,
    "9" * 40,
    "-1",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0000-00-00",
    "2024-02-30",
    "null",
    "[]",
]

NUMBERS = [
    "0", "-1", "-5", "1.5", "1e3", "1e309", "9" * 25, "9" * 5_000, "-" + "9" * 25, "2147483648",
    "32768", "65536", "9223372036854775808", " 7 ", "+3", "٣", "0x1f", "NaN", "Infinity", "abc", "",
]
DATES = [
    "0001-01-01", "9999-12-31", "10000-01-01", "0000-00-00", "2024-02-30", "-1-01-01", "1-1-1",
    "99999-99-99", "2026-13-01", "yesterday", "12/31/1999", "31.12.1999", "2026-1-1", "",
]
TIMES = ["00:00", "23:59", "24:00", "25:00", "-1:00", "12:60", "noon", "7pm", "07:30:00.000001", "1" * 30, ""]


def text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Anything a person (or a script) might type: Hypothesis' unicode, the nasty list,
    lone surrogates spliced in, and strings just over the field's length."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: s + "\ud83d" + s),
        st.text(alphabet="ab \x00<>&é😀", min_size=max_size, max_size=max_size + 3),
    )


def words(max_size: int = 30) -> st.SearchStrategy[str]:
    """Something sensible for a name or a note, so valid answers go through too."""
    return st.text(alphabet="abcdefghijklmnopqrstuvwxyz ÀÉöçñ-'", min_size=1, max_size=max_size).filter(str.strip)


def number(low: int, high: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(low, high).map(str),
        st.integers().map(str),
        st.sampled_from(NUMBERS),
        text(),
    )


def date() -> st.SearchStrategy[str]:
    return st.one_of(st.dates().map(lambda d: d.isoformat()), st.sampled_from(DATES), text())


def time() -> st.SearchStrategy[str]:
    return st.one_of(st.times().map(lambda t: t.isoformat()), st.sampled_from(TIMES), text())


def choice(values) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from([str(v) for v in values]), number(0, 10**6), text())


def many(values) -> st.SearchStrategy[list[str]]:
    """A multiple choice (checkboxes): several values under one name, some of them junk."""
    return st.lists(choice(values), max_size=5)


def email() -> st.SearchStrategy[str]:
    return st.one_of(
        st.emails().filter(lambda e: len(e) <= 254),
        st.sampled_from(["maya@example.com", "a@b", "@example.com", "maya@", "maya@exa mple.com", "x" * 300 + "@example.com"]),
        text(),
    )


def url() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([
            "https://book.example.com/maya",
            "book.example.com",
            "http://127.0.0.1:8000/admin/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.com/",
            "https://" + "a" * 300 + ".com",
            "https://exa mple.com",
            "https://[::1",
        ]),
        text(),
    )


def picture_bytes(fmt: str = "PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), "#2f6f73").save(out, fmt)
    return out.getvalue()


def upload() -> st.SearchStrategy[tuple[str, bytes]]:
    """A file as a browser would send it: a name and some bytes (a real little PNG now and
    then, so the good path runs too)."""
    names = st.sampled_from(["logo.png", "photo.jpg", "a.svg", "../../etc/passwd", "x" * 300 + ".png", "ünï 😀.png", ""])
    return st.tuples(names, st.one_of(st.just(picture_bytes()), st.binary(max_size=300)))


def post_body(data: dict) -> bytes:
    """A url-encoded form body. Lone surrogates go through as the broken UTF-8 a script
    could send (Django reads them back as U+FFFD)."""
    return urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass").encode("ascii")


def query_string(data: dict) -> str:
    return post_body(data).decode("ascii")


def path_segment(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def multipart_body(data: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body, built by hand because Django's test client refuses to
    encode a lone surrogate. Returns the body and its content type."""
    boundary = secrets.token_hex(12)
    out = BytesIO()

    def part(name: str, value: bytes, filename: str | None = None) -> None:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out.write(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode("utf-8", "surrogatepass"))
        if filename is not None:
            out.write(b"Content-Type: application/octet-stream\r\n")
        out.write(b"\r\n" + value + b"\r\n")

    for name, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            part(name, one.encode("utf-8", "surrogatepass"))
    for name, (filename, content) in files.items():
        part(name, content, filename.replace('"', "").replace("\r", "").replace("\n", ""))
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def as_received(value: str) -> str:
    """What Django reads back from `value` once sent: broken UTF-8 becomes U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class _InputValues(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.values.setdefault(self._textarea, []).append("")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # The template's newline after <textarea> is not part of the value (HTML says so).
            value = self.values[self._textarea][-1]
            self.values[self._textarea][-1] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def input_values(html: str) -> dict[str, list[str]]:
    """The value of every named text input and textarea on a page, as a browser would fill
    them in (character references decoded)."""
    parser = _InputValues()
    parser.feed(html)
    parser.close()
    return parser.values

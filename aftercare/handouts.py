"""Printable handouts: the visit's sheet, the day's stack and a sheet for any exercise.

WeasyPrint renders them from the print templates in templates/handouts/ with one small
stylesheet (static/css/handout.css). It fetches nothing itself: `StaticFetcher` serves the
app's own static and media files from disk, and image data: URIs, and refuses everything
else, so nothing a person typed into a note can fetch, embed or attach a file.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import io
import mimetypes
import os
import re
from base64 import b64decode
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation, SuspiciousOperation
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from aftercare import storage
from aftercare.models import HomeworkItem, PreparedFile, ShareLink, Visit
from aftercare.prepared import Kind, expiry
from aftercare.storage import PREPARED
from clients.models import Therapist
from exercises.translations import KEEPS_CAPITALS, library_text, supported
from exercises.translations import stamp as translations_stamp

# Tagged, accessible PDFs (PDF/UA-1): a screen reader gets headings, lists and the
# reading order; the language and title come from the print templates' <html lang> and <title>.
PDF_VARIANT = "pdf/ua-1"
# Pictures are printed at most ~70 mm wide; 900 px is over 300 dpi at that size.
MAX_PICTURE_PX = 900
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
RASTER_TYPES = IMAGE_TYPES - {"image/svg+xml"}
# The coming weeks on the tick chart: until the rebooking, two weeks at least, four at most.
TICK_WEEKS_DEFAULT = 3
TICK_WEEKS_MAX = 4
# Denser type for a visit whose notes and steps would not fit on one page otherwise.
DENSITIES = ("roomy", "snug", "tight", "tiny")
# Past the densest type, paper carries a shorter version of each long text (characters for
# a note, why it helps, each step; cautions get twice as many) and says where the rest is.
SHORTER = (360, 220, 120, 70)


def long_date(day: datetime.date) -> str:
    """A date with its weekday, as the active language writes it ("Wednesday 2 December 2026",
    "mercredi 2 décembre 2026", "Mittwoch, 2. Dezember 2026")."""
    # Translators: a date format (Django's date filter letters) for a date with its weekday:
    # l = weekday, j = day, F = month, Y = year; a backslash before a letter keeps it as it is.
    return date_format(day, pgettext("date with weekday", "l j F Y"))


def client_language(client) -> str:
    """The language a client's paper, calendar and emails are in."""
    return supported(client.speaks)


def _shorten(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "…"


class OnPaper:
    """What one exercise (and, for a homework item, its note) prints: all of it, or with
    `limit`, a shorter version of each text and `shortened` to say so."""

    def __init__(self, exercise, note: str = "", limit: int | None = None, extras: bool = True):
        # What to feel and the one-moment version are extras: the first to go when a page
        # is full (the link page always has them).
        extras = extras and limit is None
        self.feel = exercise.feel if extras else ""
        self.quick = exercise.quick if extras else ""
        # The common mistake is not an extra: it prints in any type, shortened at most.
        self.mistake = _shorten(exercise.mistake, limit)
        self.note = _shorten(note, limit)
        self.why = _shorten(exercise.why, limit)
        self.cautions = _shorten(exercise.cautions, limit * 2 if limit else None)
        all_steps = exercise.step_list()
        steps = all_steps
        if limit is not None:  # the first steps, about three notes' worth, at least two
            steps, budget = [], limit * 3
            for step in all_steps:
                if len(steps) >= 2 and budget <= 0:
                    break
                steps.append(_shorten(step, limit))
                budget -= len(steps[-1])
        self.steps = steps
        self.shortened = (self.note, self.why, self.cautions, self.mistake, self.steps) != (
            note, exercise.why, exercise.cautions, exercise.mistake, all_steps
        )


def _one_page(render, start: int = 0):
    """Render in denser and denser type, then with shorter texts, until it fits one page.
    `render(density, limit)` returns a WeasyPrint document."""
    tries = [(density, None) for density in DENSITIES[start:]] + [("tiny", limit) for limit in SHORTER]
    for density, limit in tries:
        document = render(density, limit)
        if len(document.pages) == 1:
            break
    return document


class RefusedURL(ValueError):
    pass


class StaticFetcher(URLFetcher):
    """Serves only the app's own static and media files, from disk, and data: images.

    Accepted: `/static/...` and `/media/...` (relative to the site URL WeasyPrint is given
    as base, or written out with it), and `data:image/...`. Refused: every other scheme or
    host (file://, http(s)://elsewhere), data: of anything but an image, a path leaving its
    folder, and any file that is neither an image nor, from static, a stylesheet."""

    def __init__(self, site_url: str | None = None):
        super().__init__(timeout=1, allowed_protocols=())
        self.site_url = (site_url or settings.AFTERCARE_SITE_URL).rstrip("/")
        self.fetched: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return self._data(url)
        body, mime_type = self.read(url)
        self.fetched.append(url)
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    def read(self, url: str) -> tuple[bytes, str]:
        """The bytes and type of an app file the URL names; RefusedURL for anything else."""
        path = self._local_path(url)
        if path.startswith(settings.MEDIA_URL):
            return self._media_file(path[len(settings.MEDIA_URL):], url)
        if not path.startswith(settings.STATIC_URL):
            raise RefusedURL(f"Not one of the app's files: {url}")
        file = self._static_file(path[len(settings.STATIC_URL):])
        mime_type = mimetypes.guess_type(file.name)[0] or ""
        if mime_type in RASTER_TYPES:
            stat = file.stat()
            return _downscaled(str(file), stat.st_mtime_ns, stat.st_size)
        if mime_type in ("image/svg+xml", "text/css"):
            return file.read_bytes(), mime_type
        raise RefusedURL(f"Not an image: {url}")

    @staticmethod
    def _media_file(name: str, url: str) -> tuple[bytes, str]:
        """An uploaded picture, read through the storage API (MEDIA_ROOT or the bucket),
        never fetched over the network by WeasyPrint. Prepared files are no pictures."""
        mime_type = mimetypes.guess_type(name)[0] or ""
        if name.startswith(PREPARED) or mime_type not in IMAGE_TYPES:
            raise RefusedURL(f"Not an image: {url}")
        try:
            if mime_type == "image/svg+xml":
                return storage.read(name), mime_type
            # Uploads get random names and are never rewritten: the name keys the cache.
            return _downscaled_media(name)
        except (FileNotFoundError, SuspiciousOperation):
            raise RefusedURL(f"No such file: {url}") from None
        except storage.ERRORS as e:  # the store is down: the handout prints without it
            raise RefusedURL(f"Storage unavailable for {url}: {e}") from None

    def _local_path(self, url: str) -> str:
        if url.startswith(self.site_url + "/"):
            url = url[len(self.site_url):]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            raise RefusedURL(f"Not one of the app's files: {url}")
        path = unquote(parts.path)
        if "\\" in path or "\0" in path or ".." in path.split("/"):
            raise RefusedURL(f"Leaves its folder: {url}")
        return path

    @staticmethod
    def _static_file(relative: str) -> Path:
        # Collected files first (hashed names in production), then the apps' static folders.
        if settings.STATIC_ROOT:
            try:
                collected = _inside(settings.STATIC_ROOT, relative)
            except RefusedURL:
                collected = None
            if collected:
                return collected
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            found = None
        if not found:
            raise RefusedURL(f"No such static file: {relative}")
        return Path(found)

    @staticmethod
    def _data(url: str) -> URLFetcherResponse:
        header, comma, payload = url[len("data:"):].partition(",")
        mime_type, *params = header.split(";")
        if not comma or mime_type.strip().lower() not in IMAGE_TYPES:
            raise RefusedURL("Only images may come as data: URIs.")
        body = b64decode(payload) if "base64" in params else unquote(payload).encode()
        return URLFetcherResponse("data:", body, {"Content-Type": mime_type.strip().lower()})


def _inside(root, relative: str) -> Path:
    # Links and "..", resolved, must stay under the folder (an absolute path replaces it).
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, relative))
    if not real.startswith(real_root + os.sep):
        raise RefusedURL(f"Leaves its folder: {relative}")
    if not os.path.isfile(real):
        raise RefusedURL(f"No such file: {relative}")
    return Path(real)


@functools.lru_cache(maxsize=64)
def _downscaled(path: str, mtime_ns: int, size: int) -> tuple[bytes, str]:
    return _at_print_size(Path(path).read_bytes())


@functools.lru_cache(maxsize=64)
def _downscaled_media(name: str) -> tuple[bytes, str]:
    return _at_print_size(storage.read(name))


def _at_print_size(data: bytes) -> tuple[bytes, str]:
    """A picture at print size: an upload straight off a phone is 4000 px and 5 MB."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.width <= MAX_PICTURE_PX and image.height <= MAX_PICTURE_PX and len(data) < 250_000:
            return data, Image.MIME.get(image.format, "image/png")
        image.thumbnail((MAX_PICTURE_PX, MAX_PICTURE_PX))
        out = io.BytesIO()
        if image.mode in ("RGBA", "LA", "P"):
            image.save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
        image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue(), "image/jpeg"


@functools.cache
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def _stylesheets(paper_size: str) -> list[CSS]:
    # Parsed once per process and paper size; the stylesheet is ours, read from disk.
    handout_css = Path(finders.find("css/handout.css")).read_text()
    page = "Letter" if paper_size == "Letter" else "A4"
    return [
        CSS(string=handout_css, font_config=_font_config(), url_fetcher=StaticFetcher()),
        CSS(string=f"@page {{ size: {page}; }}", font_config=_font_config()),
    ]


# WeasyPrint's image cache, kept for the process: the library's pictures are parsed once.
# Keyed by URL; only the app's own files and data: images ever get in (see StaticFetcher).
_IMAGE_CACHE: dict = {}


def _render(html: str, paper_size: str, fetcher: StaticFetcher):
    if len(_IMAGE_CACHE) > 256:
        _IMAGE_CACHE.clear()
    return HTML(string=html, base_url=fetcher.site_url + "/", url_fetcher=fetcher).render(
        stylesheets=_stylesheets(paper_size), font_config=_font_config(), attachments=[], cache=_IMAGE_CACHE
    )


def live_link(client, *, by=None) -> ShareLink | None:
    """The link the handout's QR code opens: the one the visit summary shows
    (`ShareLink.shown`, made by `by` if the client has none), or none when the therapist
    turned it off."""
    return _unless_off(ShareLink.shown(client, by=by))


def _unless_off(link: ShareLink) -> ShareLink | None:
    return None if link.revoked_at is not None else link


@functools.lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    # A client's link stays the same from print to print, so its QR code is made once.
    # A 1-bit PNG, one pixel a module, not SVG: WeasyPrint draws an SVG path of hundreds of
    # squares in Python on every render (~10 ms), and re-encodes a large PNG (~2 ms); this
    # tiny one costs nothing. Printed unsmoothed (the stylesheet sets image-rendering:
    # pixelated), so it stays sharp at any size.
    return segno.make(url, error="m").png_data_uri(scale=1, border=0)


def tick_days(start: datetime.date, weeks: int) -> list[list[datetime.date]]:
    """Rows of seven days from `start`, one row a week."""
    return [[start + datetime.timedelta(days=7 * week + day) for day in range(7)] for week in range(weeks)]


def visits_with_items(queryset):
    return queryset.select_related("client__clinic", "therapist__user").prefetch_related(
        Prefetch("items", queryset=items_for_paper()), "complaints"
    )


def items_for_paper():
    """Homework items with what a handout prints of them: the exercise and its pictures
    (a clinic's own exercise shows its first photo)."""
    return HomeworkItem.objects.select_related("exercise").prefetch_related("exercise__pictures")


def _density(items, paper_size: str) -> int:
    """Where to start, so that one render is usually enough: the more there is to read, the
    denser the type. (A wrong guess costs a second render, never a second page.) Measured on
    the texts in the client's language (`item.text`). For two items, over every built-in
    exercise paired longest with next longest in four languages: a pair under 820
    characters may fit "snug" on Letter (under 1120 on A4), none under 1800 (2100) needed
    "tiny", and no pair starts denser than it fits."""
    length = sum(len(item.note) + len(item.text.steps) + len(item.text.why) + len(item.text.cautions) for item in items)
    if len(items) < 2:
        return 0 if length < 1800 else 1 if length < 2800 else 2
    snug, tight = (820, 1800) if paper_size == "Letter" else (1120, 2100)
    return 1 if length < snug else 2 if length < tight else 3


def _sheet_density(exercise, paper_size: str) -> int:
    """Where an exercise sheet starts (the same idea as _density). Measured over the 130
    built-in sheets in four languages: on Letter all but one of them left "roomy" for a
    denser type, and none under 800 characters needed "tight", so starting there halves
    the renders and prints every sheet in the type it had (bar one short one). On A4 half
    of them fit "roomy" and length doesn't tell which: they start there."""
    if paper_size != "Letter":
        return 0
    texts = (exercise.name, exercise.steps, exercise.why, exercise.cautions, exercise.feel,
             exercise.quick, exercise.mistake, exercise.off_floor)
    length = sum(len(text or "") for text in texts)
    return 0 if length < 350 else 1 if length <= 800 else 2


def _visit_document(visit: Visit, site_url: str | None, link: ShareLink | None | bool = False, by=None):
    """One visit, one page: rendered again in denser type, then with shorter texts (the
    whole of them is on the client's link), if the first try spills over."""
    with translation.override(client_language(visit.client)):
        return _visit_document_in_language(visit, site_url, link, by)


def _visit_document_in_language(visit: Visit, site_url: str | None, link, by):
    fetcher = StaticFetcher(site_url)
    clinic = visit.client.clinic
    language = translation.get_language()
    # Already fetched by visits_with_items() in the views; fetched here otherwise.
    prefetch_related_objects([visit], Prefetch("items", queryset=items_for_paper()), "complaints")
    items = list(visit.items.all())
    for item in items:
        item.text = item.exercise.in_language(language)
    if link is False:
        link = live_link(visit.client, by=by)
    url = f"{fetcher.site_url}{link.path}" if link else None
    weeks = min(max(visit.rebook_weeks or TICK_WEEKS_DEFAULT, 2), TICK_WEEKS_MAX)
    therapist = visit.therapist.display_name if visit.therapist else gettext("your therapist")
    context = {
        "language": language,
        "visit": visit,
        "client_first_name": visit.client.first_name,
        "title": gettext("%(name)s's homework") % {"name": visit.client.first_name},
        "subtitle": gettext("From %(therapist)s, %(date)s") % {"therapist": therapist, "date": long_date(visit.date)},
        "rebook_by": long_date(visit.rebook_by) if visit.rebook_weeks and visit.rebook_by else "",
        "rebook_in": ngettext("%(count)d week", "%(count)d weeks", visit.rebook_weeks or 0) % {"count": visit.rebook_weeks or 0},
        "clinic": clinic,
        "items": items,
        # "See your doctor first if…" for each of the visit's complaints that has them.
        "red_flags": [c.in_language(language) for c in visit.complaints.all() if c.red_flags.strip()],
        "link_url": url,
        "short_link": url.split("://", 1)[-1] if url else None,
        "qr": qr_data_uri(url) if url else None,
        "tick_rows": tick_days(visit.date, weeks),
        "note_by": (visit.therapist.user.first_name or visit.therapist.display_name) if visit.therapist
        else gettext("Your therapist"),
    }

    def render(density, limit):
        for item in items:
            # In the densest type, the extras make way for the therapist's note.
            item.on_paper = OnPaper(item.text, item.note, limit, extras=density in ("roomy", "snug"))
        html = render_to_string("handouts/visit.html", {**context, "density": density})
        return _render(html, clinic.paper_size, fetcher)

    return _one_page(render, _density(items, clinic.paper_size))


def visit_pdf(visit: Visit, *, site_url: str | None = None, link: ShareLink | None | bool = False, by=None) -> bytes:
    """The visit's handout, one page. `site_url` is where the QR code's link points (default
    AFTERCARE_SITE_URL); `link` the client's link when the caller already has it (None for
    no link); `by` the therapist printing, who is recorded if a link has to be made."""
    return _visit_document(visit, site_url, link, by).write_pdf(pdf_variant=PDF_VARIANT)


def day_pdf(clinic, date: datetime.date, *, site_url: str | None = None, by=None, every_visit=None, links=None) -> bytes:
    """Every handout of the clinic's visits on `date` that have homework, one page each.
    `every_visit` and `links` when the caller has them already (day_visits, day_links)."""
    every_visit = day_visits(clinic, date) if every_visit is None else every_visit
    visits = [visit for visit in every_visit if visit.items.all()]
    if not visits:
        fetcher = StaticFetcher(site_url)
        html = render_to_string(
            "handouts/empty_day.html",
            {"clinic": clinic, "date": date, "day": long_date(date), "any_visits": bool(every_visit),
             "language": translation.get_language()},
        )
        return _render(html, clinic.paper_size, fetcher).write_pdf(pdf_variant=PDF_VARIANT)
    links = day_links(visits, by=by) if links is None else links
    documents = [_visit_document(visit, site_url, _unless_off(links[visit.client_id])) for visit in visits]
    pages = [page for document in documents for page in document.pages]
    stack = documents[0].copy(pages)
    stack.metadata.title = gettext("Handouts, %(date)s · %(clinic)s") % {"date": long_date(date), "clinic": clinic.name}
    return stack.write_pdf(pdf_variant=PDF_VARIANT)


def day_links(visits, *, by=None) -> dict[int, ShareLink]:
    """The link each client's handout prints, by client pk (made by `by` when one has none)."""
    return ShareLink.shown_for({visit.client for visit in visits if visit.items.all()}, by=by)


def day_visits(clinic, date: datetime.date) -> list[Visit]:
    """The clinic's visits on `date`, in the order they were started, with their homework."""
    return list(visits_with_items(Visit.objects.for_clinic(clinic).on(date)).order_by("created_at", "pk"))


def exercise_pdf(exercise, clinic, language: str | None = None) -> bytes:
    """A sheet for any library exercise, no client on it, for the stack at reception: in
    `language`, the clinic's own by default."""
    with translation.override(supported(language, default=clinic.language)):
        return _exercise_document(exercise, clinic).write_pdf(pdf_variant=PDF_VARIANT)


def _exercise_document(exercise, clinic):
    fetcher = StaticFetcher()
    language = translation.get_language()
    needs = [library_text(e.name, language) for e in exercise.equipment.all() if not e.everyday]
    if language not in KEEPS_CAPITALS:
        needs = [name.lower() for name in needs]
    exercise = exercise.in_language(language)
    context = {
        "language": language,
        "exercise": exercise,
        "clinic": clinic,
        "kicker": f"{exercise.get_kind_display()} · {exercise.get_body_area_display()}",
        "needs": ", ".join(needs),
        # Seven short weekday names from Monday (2 December 2024 was a Monday).
        "tick_rows": [[date_format(datetime.date(2024, 12, 2 + n), "D") for n in range(7)]] * TICK_WEEKS_DEFAULT,
    }

    def render(density, limit):
        on_paper = OnPaper(exercise, limit=limit)
        html = render_to_string("handouts/exercise.html", {**context, "density": density, "on_paper": on_paper})
        return _render(html, clinic.paper_size, fetcher)

    return _one_page(render, _sheet_density(exercise, clinic.paper_size))


def filename(*parts: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "-", "-".join(part[:40] for part in parts)).strip("-").lower()
    return f"{words or 'handout'}.pdf"


# Handouts made ahead. A worker prints a visit's handout when the visit is wrapped up, and
# the day's stack when the day page opens, into a PreparedFile keyed by a stamp of what
# the handout is made from; "Print" then answers from that file. Any change gives a new
# stamp, so a stale file is never served; one not made yet is made on the spot, and kept.

# What the stamp leaves out on purpose (tests/test_prepared_handouts.py fails on any other
# table a handout reads that the stamp doesn't follow).
NOT_STAMPED = {
    "auth_user": "the therapist's name on their login: a renamed therapist shows on the next change",
    "clients_therapist": "who the therapist is never changes on a visit; their name is on auth_user",
}
STAMPED = (Visit, "clients.Client", "clients.Clinic", HomeworkItem, "exercises.Exercise", "exercises.ExercisePicture", ShareLink,
           # The visit's complaints print their red flags: which ones, and their text.
           Visit.complaints.through, "exercises.Complaint")
# Kept this long, then deleted by the schedule (a new stamp replaces a visit's old one at once).
PREPARED_DAYS = 14


def content_stamp(visits, links: dict, site_url: str) -> str:
    """A digest of everything the handouts of `visits` print (loaded with visits_with_items),
    with the links their QR codes open and the address those point to."""
    # The compiled translations: a release with new ones prints afresh.
    parts = [site_url, translations_stamp()]
    for visit in visits:
        client = visit.client
        link = links.get(visit.client_id)
        parts.append((visit.pk, visit.updated_at, client.updated_at, client.clinic.updated_at,
                      link and (link.pk, link.revoked_at, link.expires_at),
                      [(complaint.pk, complaint.updated_at) for complaint in visit.complaints.all()]))
        for item in visit.items.all():
            pictures = [(picture.pk, picture.image.name) for picture in item.exercise.pictures.all()]
            parts.append((item.pk, item.updated_at, item.exercise.updated_at, pictures))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


# "Print" asks the database first, in one query, whether anything a handout is made from
# has changed since the newest ready file was made (SOURCES_SQL: counts, sums of ids and
# the latest change time of each table in STAMPED, for the visit or the day). Unchanged:
# the file is served as it is, without loading the visit or working out the full stamp.
# Anything else (changed, never made, a link to make, a file the storage can't open) takes
# the full way below, which finds or makes the file by its stamp and records the marks.
#
# The mark is read before whatever the handout is made from: a change that lands in
# between makes the file newer than its mark, so the next print finds the marks differ
# and takes the full way again; a file older than its mark is never kept.
SOURCES_SQL = """
    WITH chosen_visits AS (
        SELECT visit.id, visit.client_id, visit.updated_at, visit.date, client.first_name
          FROM aftercare_visit visit
          JOIN clients_client client ON client.id = visit.client_id
         WHERE {visits}
    )
    SELECT
        (SELECT CAST(COUNT(*) AS TEXT) || ' ' || CAST(COALESCE(SUM(v.id), 0) AS TEXT)
                || ' ' || COALESCE(CAST(MAX(v.updated_at) AS TEXT), '') FROM chosen_visits v)
        || '|' || (SELECT COALESCE(CAST(MAX(client.updated_at) AS TEXT), '') FROM clients_client client
                    WHERE client.id IN (SELECT client_id FROM chosen_visits))
        || '|' || (SELECT COALESCE(CAST(MAX(clinic.updated_at) AS TEXT), '') FROM clients_clinic clinic
                    WHERE clinic.id IN ({clinics}))
        || '|' || (SELECT CAST(COUNT(*) AS TEXT) || ' ' || CAST(COALESCE(SUM(item.id), 0) AS TEXT)
                          || ' ' || COALESCE(CAST(MAX(item.updated_at) AS TEXT), '')
                          || ' ' || COALESCE(CAST(MAX(exercise.updated_at) AS TEXT), '')
                     FROM aftercare_homeworkitem item
                     JOIN exercises_exercise exercise ON exercise.id = item.exercise_id
                    WHERE item.visit_id IN (SELECT id FROM chosen_visits))
        || '|' || (SELECT CAST(COUNT(*) AS TEXT) || ' ' || CAST(COALESCE(SUM(picture.id * (picture.position + 1)), 0) AS TEXT)
                          || ' ' || COALESCE(CAST(MAX(picture.created_at) AS TEXT), '')
                     FROM exercises_exercisepicture picture
                    WHERE picture.exercise_id IN (SELECT item.exercise_id FROM aftercare_homeworkitem item
                                                   WHERE item.visit_id IN (SELECT id FROM chosen_visits)))
        || '|' || (SELECT CAST(COUNT(*) AS TEXT) || ' ' || CAST(COALESCE(SUM(ticked.id), 0) AS TEXT)
                          || ' ' || COALESCE(CAST(MAX(complaint.updated_at) AS TEXT), '')
                     FROM aftercare_visit_complaints ticked
                     JOIN exercises_complaint complaint ON complaint.id = ticked.complaint_id
                    WHERE ticked.visit_id IN (SELECT id FROM chosen_visits))
        || '|' || (SELECT CAST(COUNT(*) AS TEXT) || ' ' || CAST(COALESCE(SUM(link.id), 0) AS TEXT)
                          || ' ' || COALESCE(CAST(MAX(link.revoked_at) AS TEXT), '')
                     FROM aftercare_sharelink link WHERE link.client_id IN (SELECT client_id FROM chosen_visits)),
        -- Clients whose handout needs a link made first: none yet, or theirs has expired.
        (SELECT COUNT(*) FROM (SELECT DISTINCT client_id FROM chosen_visits) printed
          WHERE NOT EXISTS (SELECT 1 FROM aftercare_sharelink link WHERE link.client_id = printed.client_id)
             OR EXISTS (SELECT 1 FROM aftercare_sharelink link WHERE link.client_id = printed.client_id
                           AND link.revoked_at IS NULL AND link.expires_at <= %(now)s)),
        (SELECT COUNT(*) FROM chosen_visits),
        (SELECT MIN(first_name) FROM chosen_visits),
        (SELECT CAST(MIN(date) AS TEXT) FROM chosen_visits),
        prepared.file, prepared.sources
      FROM (SELECT 1 AS one) one
      LEFT JOIN aftercare_preparedfile prepared ON prepared.id = (
          SELECT newest.id FROM aftercare_preparedfile newest
           WHERE {prepared} AND newest.ready_at IS NOT NULL
           ORDER BY newest.ready_at DESC, newest.id DESC LIMIT 1)
"""


@dataclasses.dataclass(frozen=True)
class Sources:
    """What SOURCES_SQL answered for a visit or a day."""

    mark: str  # the sources now, and the address the QR codes point to
    links_to_make: int
    visits: int
    first_name: str | None
    date: str | None
    file: str | None  # the newest ready file, and the mark it was made under
    file_mark: str | None

    @property
    def ready_file(self) -> str | None:
        """The file to serve as it is, or None to take the full way."""
        unchanged = self.file and self.file_mark == self.mark and not self.links_to_make
        return self.file if unchanged else None


def _sources(visits: str, clinics: str, prepared: str, params: dict, site_url: str) -> Sources:
    params = {**params, "now": connection.ops.adapt_datetimefield_value(timezone.now())}
    with connection.cursor() as cursor:
        cursor.execute(SOURCES_SQL.format(visits=visits, clinics=clinics, prepared=prepared), params)
        text, links_to_make, visits_count, first_name, date, file, file_mark = cursor.fetchone()
    return Sources(f"{site_url} {text}", links_to_make, visits_count, first_name, date, file, file_mark)


def _printed_by(therapist_id: int | None, params: dict) -> str:
    """For a print address (aftercare/printing.py), which no login checked: the ready file
    only while the therapist it was made for is still an active member of the clinic."""
    if therapist_id is None:
        return ""
    params["therapist"] = therapist_id
    return f"""
        AND EXISTS (SELECT 1 FROM {Therapist._meta.db_table} therapist
                      JOIN {get_user_model()._meta.db_table} login ON login.id = therapist.user_id
                     WHERE therapist.id = %(therapist)s AND therapist.clinic_id = %(clinic)s
                       AND therapist.removed_at IS NULL AND login.is_active)"""


def visit_sources(visit_id: int, *, site_url: str, clinic_id: int | None = None, therapist_id: int | None = None) -> Sources:
    """The visit's sources (only if it is `clinic_id`'s, when given) and its newest handout
    (only while `therapist_id`, when given, is still in that clinic)."""
    visits = "visit.id = %(visit)s" + (" AND client.clinic_id = %(clinic)s" if clinic_id is not None else "")
    clinics = "SELECT client.clinic_id FROM clients_client client WHERE client.id IN (SELECT client_id FROM chosen_visits)"
    params = {"visit": visit_id} if clinic_id is None else {"visit": visit_id, "clinic": clinic_id}
    prepared = "newest.kind = 'visit' AND newest.visit_id = %(visit)s" + _printed_by(therapist_id, params)
    sources = _sources(visits, clinics, prepared, params, site_url)
    # Not found (or another clinic's): nothing to serve; the full way answers 404.
    return sources if sources.visits else dataclasses.replace(sources, file=None)


def day_sources(clinic_id: int, date: datetime.date, *, site_url: str, therapist_id: int | None = None) -> Sources:
    """The sources of the clinic's day (its visits, with homework or not) and its newest stack
    (only while `therapist_id`, when given, is still in the clinic)."""
    params = {"clinic": clinic_id, "date": connection.ops.adapt_datefield_value(date)}
    visits = "client.clinic_id = %(clinic)s AND visit.date = %(date)s"
    prepared = ("newest.kind = 'day' AND newest.clinic_id = %(clinic)s AND newest.date = %(date)s"
                + _printed_by(therapist_id, params))
    # The clinic itself: a day with no visits prints its name on the empty page.
    return _sources(visits, "%(clinic)s", prepared, params, site_url)


def open_ready(sources: Sources):
    """The ready file, opened to stream, and its size (aftercare.storage.open_streamed); None
    when the storage can't give it (then it is made)."""
    name = sources.ready_file
    if name is None:
        return None
    try:
        return storage.open_streamed(name)
    except storage.ERRORS:
        return None


def _ready(sources: str = "", **key) -> bytes | None:
    prepared = PreparedFile.objects.filter(**key).exclude(ready_at=None).first()
    if prepared is None:
        return None
    try:
        data = prepared.read()
    except storage.ERRORS:  # gone from the storage, or the storage is down: make it here
        return None
    _mark(prepared, sources)
    return data


def _mark(prepared: PreparedFile, sources: str) -> None:
    """Record the sources read before this file was found to fit (see SOURCES_SQL), so the
    next print serves it without the full way."""
    if sources and prepared.sources != sources:
        PreparedFile.objects.filter(pk=prepared.pk).update(sources=sources)


def _keep(data: bytes, sources: str = "", **key) -> None:
    """Keep what was just made under its stamp, and let the older ones of the same visit or
    day go. Two makers at once keep one (the unique constraint)."""
    try:
        with transaction.atomic():
            prepared = PreparedFile.objects.create(**key, sources=sources, expires_at=expiry(PREPARED_DAYS * 24 * 60))
    except IntegrityError:
        return
    if prepared.keep(data, ".pdf"):
        same = {name: key[name] for name in ("kind", "visit", "clinic", "date") if name in key}
        for older in PreparedFile.objects.filter(**same).exclude(pk=prepared.pk):
            older.delete()


def ready_visit_pdf(visit: Visit, *, site_url: str, by=None, ahead: bool = False, sources: str = "") -> bytes | None:
    """The visit's handout (`visit` loaded with visits_with_items): from the file made ahead
    for exactly this content, else made now and kept. `ahead` (a job making it before
    anyone asks): None, without reading it, when it is there already. `sources`: the
    visit_sources mark read before `visit` was loaded, kept with the file."""
    link = live_link(visit.client, by=by)
    stamp = content_stamp([visit], {visit.client_id: link}, site_url)
    key = {"kind": Kind.VISIT_HANDOUT, "visit": visit, "stamp": stamp}
    if ahead:
        made = PreparedFile.objects.filter(**key).exclude(ready_at=None).first()
        if made is not None:
            _mark(made, sources)
            return None
    pdf = None if ahead else _ready(sources, **key)
    if pdf is None:
        pdf = visit_pdf(visit, site_url=site_url, link=link)
        _keep(pdf, sources, kind=Kind.VISIT_HANDOUT, clinic=visit.client.clinic, visit=visit, stamp=stamp)
    return pdf


def day_stamp(clinic, date: datetime.date, every_visit, links, site_url: str) -> str:
    return content_stamp(every_visit, links, f"{site_url} {clinic.pk} {clinic.updated_at} {date}")


def ready_day_pdf(clinic, date: datetime.date, *, site_url: str, by=None, ahead: bool = False, sources: str = "") -> bytes | None:
    """Every handout of the day in one PDF: from the file made ahead, else made now and
    kept. `ahead`: None, without reading it, when it is there already. `sources`: the
    day_sources mark read before the day's visits were loaded, kept with the file."""
    every_visit = day_visits(clinic, date)
    links = day_links(every_visit, by=by)
    stamp = day_stamp(clinic, date, every_visit, links, site_url)
    key = {"kind": Kind.DAY_HANDOUTS, "clinic": clinic, "date": date, "stamp": stamp}
    if ahead:
        made = PreparedFile.objects.filter(**key).exclude(ready_at=None).first()
        if made is not None:
            _mark(made, sources)
            return None
    pdf = None if ahead else _ready(sources, **key)
    if pdf is None:
        pdf = day_pdf(clinic, date, site_url=site_url, every_visit=every_visit, links=links)
        _keep(pdf, sources, kind=Kind.DAY_HANDOUTS, clinic=clinic, date=date, stamp=stamp)
    return pdf

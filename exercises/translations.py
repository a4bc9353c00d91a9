"""The built-in library in the client's language.

The library's texts (exercises/library.py) have gettext catalogues of their own, the
`library` domain beside Django's: locale/<language>/LC_MESSAGES/library.po, keyed by the
English as library.py writes it, one entry per name, step, sentence of why it helps,
caution, red flag... `manage.py library_messages` writes locale/library.pot from
library.py and merges it into each language's file; the build compiles them to .mo
(`make messages`). docs/translating.md is the translator's side of it.

A text no catalogue holds (a clinic's own, or one a clinic changed on its copy of a
built-in) comes back as it is, in the clinic's language: nothing odd on the page.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
from pathlib import Path

from django.conf import settings
from django.utils import translation

DOMAIN = "library"
# Languages whose nouns keep their capital letter inside a sentence ("jede Seite
# nacheinander", "Sie brauchen: Tennisball"), where English lowers it.
KEEPS_CAPITALS = {"de"}


def language_for(code: str | None) -> str | None:
    """The language the app speaks for `code`, however it is written ("fr-CA", "FR" and
    "fr_FR" give "fr"); None when it speaks none that fits."""
    code = str(code or "").strip().lower().replace("_", "-")[:32]
    try:
        return translation.get_supported_language_variant(code) if code else None
    except LookupError:
        return None


def supported(code: str | None, default: str | None = None) -> str:
    """language_for(`code`), or `default` (or the site's default) for anything else."""
    return language_for(code) or language_for(default) or translation.get_supported_language_variant(settings.LANGUAGE_CODE)


@functools.cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled library catalogue of `language`, read once per process; for English, or
    a language with no catalogue compiled, one that gives every text back as it is."""
    return gettext.translation(DOMAIN, localedir=str(settings.LOCALE_PATHS[0]), languages=[language], fallback=True)


def library_text(text: str, language: str | None = None) -> str:
    """`text` in `language` (the active language by default) when it is one of the library's
    own; as it is otherwise. Several lines (steps, red flags) are looked up line by line."""
    if not text:
        return text
    book = catalogue(supported(language or translation.get_language()))
    if "\n" in text:
        return "\n".join(book.gettext(line.strip()) for line in text.splitlines() if line.strip())
    return book.gettext(text)


@functools.cache
def stamp() -> str:
    """Changes when a compiled catalogue changes (a release with new translations), for the
    stamps of handouts made ahead. Read once per process."""
    digest = hashlib.sha256()
    for mo in sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.mo")):
        digest.update(mo.name.encode() + mo.read_bytes())
    return digest.hexdigest()[:16]

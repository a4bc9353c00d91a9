"""No template has visible text outside a translation tag (issue 18).

This is the proof that `makemessages` finds nothing left out of the templates: it only
collects what sits in {% translate %} / {% blocktranslate %} (and `_("…")` arguments), so
any letters a person can read that are left after taking those away are words no catalogue
will ever hold. The Python side (forms, messages, choices) is covered by the pages' tests
in each language (tests/test_staff_language.py, tests/test_languages.py).

Each template has its Django comments, translation tags and blocks, variables and other
tags taken away (keeping its line breaks, so a finding names the right line), is then read
as HTML, and whatever letters remain in text, or in an attribute a person reads, are
reported as file:line. Scripts and styles are code, not words.

TRANSLATABLE_ONLY=dir1,dir2 narrows the run to some template folders while working on them.
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Text templates are read the same way (emails, subjects). The service worker (link/sw.js)
# is a script: its two fallback words are only shown if a push arrives without its own
# (translated) title and body.
SUFFIXES = {".html", ".txt"}

# Words that stay as they are in every language, each with its reason.
ALLOWED = {
    "Aftercare",  # the product's name
    "PDF",  # a file format's name, the same in every language
    "QR",  # the code's name, the same in every language
    "WhatsApp",  # an app's name
}
# Attributes whose value a person reads (or hears, from a screen reader; data-confirm is
# the question static/js/confirm.js asks, data-copied what a Copy button says after).
HUMAN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-confirm", "data-copied"}
# ...and `value`, where it is a button's words: an <input type="submit">'s (a <button>'s
# value is what the form sends; its words are its content).
BUTTON_INPUTS = {"submit", "button", "reset"}

COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
BLOCK_TRANSLATE = re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
TAG_OR_VARIABLE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
# A string literal a template prints through a filter or hands to an include: `default:"none"`
# and `with here="Visit"` are visible words too (`_("…")` is the way to mark them). A
# lowercase word without spaces passed to an include is a key (`here="team"`), not text.
DEFAULT_LITERAL = re.compile(r"""\|default(?:_if_none)?:(["'])(.*?)\1""")
INCLUDE_LITERAL = re.compile(r"""\b\w+=(["'])(.*?)\1""")
# Literals that are names for code, not words: `alert-{{ level|default:'info' }}` is a class.
LITERAL_KEYS = {"info"}
LETTERS = re.compile(r"[^\W\d_]{2,}|[^\W\d_](?=\s|$)")


def blank(match: re.Match) -> str:
    """The matched text replaced by its own line breaks, so later lines keep their numbers."""
    return "\n" * match.group(0).count("\n")


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text) if w not in ALLOWED]


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.code_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.code_depth += 1
        attributes = dict(attrs)
        for name, value in attrs:
            human = name in HUMAN_ATTRIBUTES or (
                name == "value" and tag == "input" and attributes.get("type") in BUTTON_INPUTS
            )
            if human and value and words(value):
                self.found.append((self.getpos()[0], f"{name}={value!r}"))

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self.code_depth:
            self.code_depth -= 1

    def handle_data(self, data):
        if not self.code_depth and words(data):
            # getpos() is where this text starts; name the line of its first word.
            line = self.getpos()[0] + data[: data.find(words(data)[0])].count("\n")
            self.found.append((line, data.strip()[:60]))


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, text) for every piece of visible text outside a translation tag."""
    source = COMMENT.sub(blank, source)
    found = []
    for tag in TAG_OR_VARIABLE.finditer(source):
        line = source.count("\n", 0, tag.start()) + 1
        literals = DEFAULT_LITERAL.findall(tag.group(0))
        if tag.group(0).lstrip("{% ").startswith("include"):
            literals += [(q, v) for q, v in INCLUDE_LITERAL.findall(tag.group(0)) if " " in v or v != v.lower()]
        found += [(line, f"literal {value!r}") for _, value in literals if words(value) and value not in LITERAL_KEYS]
    source = BLOCK_TRANSLATE.sub(blank, source)
    source = TAG_OR_VARIABLE.sub(blank, source)
    parser = VisibleText()
    parser.feed(source)
    parser.close()
    return sorted(found + parser.found)


def templates() -> list[Path]:
    only = [part for part in os.environ.get("TRANSLATABLE_ONLY", "").split(",") if part]
    return sorted(
        path
        for path in TEMPLATES.rglob("*")
        if path.suffix in SUFFIXES and (not only or path.relative_to(TEMPLATES).parts[0] in only or path.name in only)
    )


def test_no_template_has_visible_text_outside_a_translation_tag():
    left = [
        f"templates/{path.relative_to(TEMPLATES)}:{line}: {text}"
        for path in templates()
        for line, text in untranslated(path.read_text())
    ]
    assert not left, f"{len(left)} pieces of visible text outside a translation tag:\n" + "\n".join(left)


def test_it_finds_text_in_every_place_a_person_reads_it():
    """The checker itself: each kind of leftover is found, on its own line, and nothing marked is."""
    source = "\n".join(
        [
            "{% load i18n %}<p>{% translate 'Marked' %}</p>",  # 1: fine
            "<p>Left out</p>",  # 2
            '<img alt="A drawing" src="x.png">',  # 3
            '<input placeholder="Search" name="q">',  # 4
            '<button value="go" title="Go on">{% translate "Go" %}</button>',  # 5: the title, not the value
            '<input type="submit" value="Save">',  # 6
            "<script>var words = 'not checked';</script><style>p { color: red }</style>",  # 7: code
            "{# a comment #}{% blocktranslate with n=x %}Hello {{ n }}{% endblocktranslate %}",  # 8: fine
            '{{ x|default:"nobody" }}',  # 9
            '{% include "a.html" with here="Today\'s visit" key="team" %}',  # 10 (key= is a key)
            "<span>{{ name }} · 3 ×</span> <b>Aftercare</b>",  # 11: fine
            '<a href="/x" class="btn" aria-label="Close">×</a>',  # 12
            '<form data-confirm="Delete it?" class="{{ x|default:\'info\' }}"></form>',  # 13: the question only
        ]
    )
    assert [line for line, _ in untranslated(source)] == [2, 3, 4, 5, 6, 9, 10, 12, 13]


def test_it_reads_every_template():
    found = {path.relative_to(TEMPLATES).parts[0] for path in templates()}
    if not os.environ.get("TRANSLATABLE_ONLY"):
        assert {"base.html", "aftercare", "clients", "clinic", "emails", "link", "handouts", "registration"} <= found

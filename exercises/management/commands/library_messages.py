import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exercises import library
from exercises.translations import DOMAIN

HEADER = """# The built-in library's texts (exercises/library.py), for translators: docs/translating.md.
# Written by `manage.py library_messages`; edit library.py, never this file.
msgid ""
msgstr ""
"Project-Id-Version: Aftercare library\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"""


def library_texts() -> dict[str, list[str]]:
    """Every text of the library a person reads, once each, in library.py's order, with
    where it is used ("exercise chin-tucks why")."""
    texts: dict[str, list[str]] = {}

    def add(text: str, where: str) -> None:
        for line in text.splitlines():
            if line.strip():
                texts.setdefault(line.strip(), []).append(where)

    for row in library.COMPLAINTS:
        add(row["name"], f"complaint {row['slug']} name")
        add(row["description"], f"complaint {row['slug']} description")
        for flag in library.RED_FLAGS.get(row["slug"], ()):
            add(flag, f"complaint {row['slug']} red_flags")
    for row in library.EQUIPMENT:
        add(row["name"], f"equipment {row['slug']}")
    for row in library.CONDITIONS:
        add(row["name"], f"condition {row['slug']} name")
        add(row["why"], f"condition {row['slug']} why")
    for row in library.EXERCISES:
        add(row["name"], f"exercise {row['slug']} name")
        for step in row["steps"]:
            add(step, f"exercise {row['slug']} steps")
        for field in ("why", "cautions", "feel", "mistake", "quick", "off_floor"):
            if row.get(field):
                add(row[field], f"exercise {row['slug']} {field}")
    return texts


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


def template() -> str:
    entries = [
        "".join(f"#. {where}\n" for where in places) + f"msgid {quoted(text)}\nmsgstr \"\"\n"
        for text, places in library_texts().items()
    ]
    return HEADER + "\n" + "\n".join(entries)


class Command(BaseCommand):
    help = (
        "Write locale/library.pot from exercises/library.py, and merge it into each language's "
        "locale/<language>/LC_MESSAGES/library.po (new texts come in untranslated, changed ones "
        "marked fuzzy, removed ones kept as obsolete at the end). Needs GNU gettext's msgmerge. "
        "Run after changing library.py; `--check` only says whether the template is out of date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Exit with an error if locale/library.pot is out of date.")

    def handle(self, *args, check=False, **options):
        locale = Path(settings.LOCALE_PATHS[0])
        pot = locale / f"{DOMAIN}.pot"
        text = template()
        if check:
            if not pot.exists() or pot.read_text() != text:
                raise CommandError("locale/library.pot is out of date: run `manage.py library_messages`.")
            self.stdout.write("locale/library.pot is up to date.")
            return
        pot.parent.mkdir(parents=True, exist_ok=True)
        pot.write_text(text)
        if shutil.which("msgmerge") is None:
            raise CommandError("msgmerge not found: install GNU gettext (`make system`).")
        for code, _name in settings.LANGUAGES:
            if code == settings.LANGUAGES[0][0]:  # the library is written in it
                continue
            po = locale / code / "LC_MESSAGES" / f"{DOMAIN}.po"
            if not po.exists():
                po.parent.mkdir(parents=True, exist_ok=True)
                po.write_text(text.replace('"Content-Transfer-Encoding: 8bit\\n"\n',
                                           f'"Content-Transfer-Encoding: 8bit\\n"\n"Language: {code}\\n"\n', 1))
            subprocess.run(["msgmerge", "--quiet", "--update", "--backup=none", "--no-wrap", str(po), str(pot)], check=True)
            self.stdout.write(f"{po.relative_to(locale.parent)}: merged.")

from django import template
from django.utils import translation

from exercises.translations import KEEPS_CAPITALS, library_text

register = template.Library()


@register.filter
def library(text: str) -> str:
    """A text of the built-in library in the active language ({{ complaint.name|library }});
    a clinic's own text as it is."""
    return library_text(text)


@register.filter
def library_each(texts) -> list[str]:
    """Each of several library texts (a complaint's red flags) in the active language."""
    return [library_text(text) for text in texts]


@register.filter
def library_lower(text: str) -> str:
    """A library name in the active language, in lower case mid-sentence ("needs a towel"),
    except in a language whose nouns keep their capital (German)."""
    shown = library_text(text)
    return shown if translation.get_language() in KEEPS_CAPITALS else shown.lower()

from django import template

from exercises.translations import library_text

register = template.Library()


@register.filter
def library(text: str) -> str:
    """A text of the built-in library in the active language ({{ complaint.name|library }});
    a clinic's own text as it is."""
    return library_text(text)

"""The staff pages' "Print" links: a short-lived address signed for this browser
(aftercare/printing.py), answered from the ready file without a session or login lookup."""

from django import template

from aftercare import printing

register = template.Library()


@register.simple_tag(takes_context=True)
def visit_print_address(context, visit) -> str:
    return printing.visit_address(context["request"], visit)


@register.simple_tag(takes_context=True)
def day_print_address(context, date) -> str:
    return printing.day_address(context["request"], date)

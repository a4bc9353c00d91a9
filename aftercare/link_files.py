"""How often one client link may have its files made. The handout (WeasyPrint, up to a
second) and the calendar file are made afresh on every request, and anyone holding the link
can ask again and again, from as many addresses as they like; so they count per link, not
per address, in the default cache (django-ratelimit, as the login throttle). The page
itself is cached and isn't counted."""

from __future__ import annotations

import logging

from django.conf import settings
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


class TooManyFiles(Exception):
    pass


def count(request, link) -> None:
    """Count one file made for `link`; TooManyFiles once over CLIENT_LINK_FILES_RATE. A
    cache that can't count lets the file through (the page works without the cache too)."""
    try:
        usage = get_usage(
            request,
            group="client-link-files",
            key=lambda group, request: str(link.pk),
            rate=settings.CLIENT_LINK_FILES_RATE,
            increment=True,
        )
    except Exception:
        logger.warning("Can't count a client link's files in the cache.", exc_info=True)
        return
    if usage and usage["limit"] and usage["should_limit"]:
        raise TooManyFiles

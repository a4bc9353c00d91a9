"""How often one client link may have its files made. The handout (WeasyPrint, up to a
second) and the calendar file are made afresh on every request, and anyone holding the link
can ask again and again, from as many addresses as they like; so they count per link, not
per address, in the default cache (django-ratelimit, as the login throttle). The page
itself is cached and isn't counted.

Changes asked through a link (a tick, a feeling, a word, the language, reminder settings,
a phone's subscription) and through the links in reminder emails (confirm, stop) count the
same way, per link, against CLIENT_LINK_POSTS_RATE: a person taps a few times a day, a
script holding the link would write for ever."""

from __future__ import annotations

import logging

from django.conf import settings
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


class TooManyFiles(Exception):
    pass


class TooManyPosts(Exception):
    pass


def _over(request, group: str, key: str, rate: str) -> bool:
    """Count one for `key` in `group`; whether that is over `rate`. A cache that can't
    count lets the request through (the page works without the cache too)."""
    try:
        usage = get_usage(request, group=group, key=lambda group, request: key, rate=rate, increment=True)
    except Exception:
        logger.warning("Can't count a client link's %s in the cache.", group, exc_info=True)
        return False
    return bool(usage and usage["limit"] and usage["should_limit"])


def count(request, link, *, group: str = "client-link-files") -> None:
    """Count one file made for `link`; TooManyFiles once over CLIENT_LINK_FILES_RATE. The
    calendar subscription counts in a group of its own ("client-link-feed"): calendars poll
    it on their own, and must not use up the client's handouts."""
    if _over(request, group, str(link.pk), settings.CLIENT_LINK_FILES_RATE):
        raise TooManyFiles


def count_post(request, key: str) -> None:
    """Count one change asked through a link (`key` names it: the link's id, or an email
    link's digest); TooManyPosts once over CLIENT_LINK_POSTS_RATE."""
    if _over(request, "client-link-posts", key, settings.CLIENT_LINK_POSTS_RATE):
        raise TooManyPosts

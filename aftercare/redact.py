"""Client-link tokens stay out of logs. A token in an address is the key to a client's
health page, and logs travel further than the database (log shippers, support tickets), so
every line the app or gunicorn writes shows `/h/…/` instead."""

import logging
import re

CLIENT_LINK = re.compile(r"/h/[^/\s?\"']+")


def hide_client_links(text: str) -> str:
    return CLIENT_LINK.sub("/h/…", text)


class HideClientLinks(logging.Filter):
    """On the console handler: Django's "Not Found: /h/<token>/" and runserver's request
    lines come out as "/h/…/"."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/h/" in message:
            record.msg, record.args = hide_client_links(message), ()
        return True

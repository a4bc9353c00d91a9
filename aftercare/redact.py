"""Client-link tokens stay out of logs. A token in an address is the key to a client's
health page, and logs travel further than the database (log shippers, support tickets), so
every line the app or gunicorn writes shows `/h/…/` instead."""

import logging
import re

CLIENT_LINK = re.compile(r"/h/[^/\s?\"']+")


def hide_client_links(text: str) -> str:
    return CLIENT_LINK.sub("/h/…", text)


class HideClientLinks(logging.Filter):
    """On the console handlers and gunicorn's error log: Django's "Not Found: /h/<token>/",
    runserver's request lines and any traceback (an exception's message may quote the
    address) come out with "/h/…/"."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/h/" in message:
            record.msg, record.args = hide_client_links(message), ()
        if record.exc_info and not record.exc_text:
            # What the formatter would print, made now so it can be cleaned first.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and "/h/" in record.exc_text:
            record.exc_text = hide_client_links(record.exc_text)
        return True

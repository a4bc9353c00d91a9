"""Client-link tokens stay out of logs. A token in an address is the key to a client's
health page, and logs travel further than the database (log shippers, support tickets), so
every line the app or gunicorn writes shows `/h/…/` instead.

What the URL resolver matches is the percent-decoded path (the WSGI server decodes it, so
`/%68/<token>/` and `/h%2F<token>/` open the page too), so each word of a line is matched
as decoded, as many times as it decodes; a word with a client link in it is written decoded
and redacted. Every route under the link starts `/h/<token>`, so one pattern covers them."""

import logging
import re
from urllib.parse import quote, unquote

CLIENT_LINK = re.compile(r"/h/[^/\s?\"']+")
WORD = re.compile(r"[^\s\"']+")
# In a decoded word a token runs to the next slash, as the resolver's <str:token> does.
DECODED_LINK = re.compile(r"/h/[^/]+")
# What decoding may bring into a log line that must not be written as it is: a newline
# would let an address forge a log line of its own.
UNPRINTABLE = re.compile(r"[\s\"'\x00-\x1f\x7f-\x9f]")
MAX_DECODES = 5  # /%2568/ is /%68/ is /h/: a token stays a secret however it was sent


def _decoded(word: str) -> str:
    for _ in range(MAX_DECODES):
        plain = unquote(word, errors="replace")
        if plain == word:
            break
        word = plain
    return word


def _hide_in_word(match: re.Match) -> str:
    word = match.group()
    plain = _decoded(word)
    if not DECODED_LINK.search(plain):
        return word
    return UNPRINTABLE.sub(lambda m: quote(m.group(), safe=""), DECODED_LINK.sub("/h/…", plain))


def hide_client_links(text: str) -> str:
    if "%" not in text:
        return CLIENT_LINK.sub("/h/…", text)
    return WORD.sub(_hide_in_word, text)


class HideClientLinks(logging.Filter):
    """On the console handlers and gunicorn's error log: Django's "Not Found: /h/<token>/",
    runserver's request lines and any traceback (an exception's message may quote the
    address) come out with "/h/…/"."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = hide_client_links(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            # What the formatter would print, made now so it can be cleaned first.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = hide_client_links(record.exc_text)
        return True

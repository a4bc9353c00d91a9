"""Speed-only overrides for the test suite; everything else is the real settings."""

import tempfile

from aftercare.settings import *  # noqa: F403
from aftercare.settings import BASE_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The whole suite logs in from 127.0.0.1 in one cache; tests/test_throttles.py sets its own rates.
LOGIN_FAILURES_PER_ADDRESS = LOGIN_FAILURES_PER_USERNAME = "1000/m"
PASSWORD_RESETS_PER_ADDRESS = PASSWORD_RESETS_PER_EMAIL = SIGNUPS_PER_ADDRESS = CONFIRMATION_RESENDS_PER_LOGIN = "1000/m"
# The suite posts under one link and opens made-up links far more often than a person;
# tests/test_door_throttles.py sets small rates of its own.
CLIENT_LINK_POSTS_RATE = TOKEN_MISSES_PER_ADDRESS = ACCOUNT_FORMS_PER_ADDRESS = "1000/m"
MEDIA_ROOT = tempfile.mkdtemp(prefix="aftercare-test-media-")
SERVE_MEDIA = True  # the browser tests look at uploaded pictures through the live server
STATIC_ROOT = tempfile.mkdtemp(prefix="aftercare-test-static-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's shared in-memory database, so the threads of the concurrency
    # tests meet real locking, as two requests to a running app would.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

# A local receiver (tests/test_reminders_push.py) stands in for a push service, and a VAPID
# key made for this run lets the page offer phone notifications.
WEBPUSH_ALLOW_LOOPBACK = True
WEBPUSH_VAPID_PRIVATE_KEY = "P8Qf6Zz3Y1n0oWkq9c2bVxH4aJ7tLmRs5eUyDgKwNiA"

"""Aftercare's one settings module. Everything that differs between a laptop, CI and
production comes from the environment (see README, "Settings")."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="" if not DEBUG else "dev-only-not-secret")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG=0.")
# Earlier secret keys, newest first, while what was signed with them still has to work:
# client links (printed QR codes, emails), sessions, invites. README: "Rotating the secret key".
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "outbox",
    "clients",
    "exercises",
    "aftercare",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the Host header: a load balancer probes by address.
    "aftercare.healthz.HealthzMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long caching; before everything else,
    # so every other answer (a 403, a CSRF failure, a redirect) goes through it.
    "aftercare.no_store.NoStoreMiddleware",
    # "Print" by a signed address, from a ready file: before sessions and logins, which it
    # does without (aftercare/printing.py); after NoStore, so the PDF is kept by no cache.
    "aftercare.printing.PrintMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language) until a page knows better: a therapist's
    # own choice (clients.access.therapist_required), a client's (the link's pages).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aftercare.urls"
WSGI_APPLICATION = "aftercare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clients.context_processors.clinic",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes every transaction take the write lock up front, so two requests
    # writing at once queue behind each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clients:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The languages the app speaks, to therapists and to clients (docs/translating.md says how
# to add one). Each name is written in its own language, as a switcher shows it.
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Files a browser asks for at the site's root (/favicon.ico, which a PDF tab requests), served
# by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "static_root"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Let Django itself serve uploaded pictures (development, tests, a one-box install).
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=DEBUG)
# Where the app is reached from outside, for links made without a request (the QR code on a
# handout rendered by a script or a job). Requests use their own host.
AFTERCARE_SITE_URL = env("AFTERCARE_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Uploaded pictures, logos and prepared files: the local MEDIA_ROOT, or, with a bucket
# named, an S3-compatible object store through django-storages (its own setting names), so
# every web process and worker on every host reads and writes the same files.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")
    # Private objects; the app serves them (or hands out short-lived signed URLs).
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=300)
    # Names are random (exercises.images) or stamped; never overwrite one silently.
    AWS_S3_FILE_OVERWRITE = False
    # A bucket that is down answers within seconds, not after boto3's minute of retries.
    from botocore.config import Config as S3ClientConfig

    AWS_S3_CLIENT_CONFIG = S3ClientConfig(
        connect_timeout=env.float("AWS_S3_CONNECT_TIMEOUT", default=3),
        read_timeout=env.float("AWS_S3_READ_TIMEOUT", default=10),
        retries={"max_attempts": 2, "mode": "standard"},
    )
    MEDIA_STORAGE = {"BACKEND": "aftercare.storage.MediaStorage"}
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Work outside the request (README, "Jobs"): Django's Tasks interface, `settings.TASKS`.
# "database": a queue in the app's own database (SQLite or PostgreSQL), no other service;
# "rq": Redis through RQ, for volume. Either way `manage.py run_worker` runs the jobs and
# the schedule, any number of them on any host.
TASKS_BACKEND = env("TASKS_BACKEND", default="database")
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "aftercare.rq_backend.RQBackend",
}
if TASKS_BACKEND not in TASK_BACKENDS:
    raise environ.ImproperlyConfigured(f"TASKS_BACKEND is one of {', '.join(TASK_BACKENDS)}, not {TASKS_BACKEND!r}.")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
if TASKS_BACKEND == "rq":
    TASKS_REDIS_URL = env("TASKS_REDIS_URL", default=env("REDIS_URL", default=""))
    if not TASKS_REDIS_URL:
        raise environ.ImproperlyConfigured("TASKS_BACKEND=rq needs TASKS_REDIS_URL (or REDIS_URL).")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": env.int("WORKER_JOB_TIMEOUT", default=600)}}
# The recurring jobs (aftercare/tasks.py): a dotted path to a list of aftercare.worker.Every.
AFTERCARE_SCHEDULE = env("AFTERCARE_SCHEDULE", default="aftercare.tasks.SCHEDULE")
# A worker that hasn't said it is alive for this long is taken for dead: its running job
# goes back in the queue (or, after WORKER_MAX_ATTEMPTS tries, is marked failed).
WORKER_LOST_AFTER = env.float("WORKER_LOST_AFTER", default=60)
WORKER_MAX_ATTEMPTS = env.int("WORKER_MAX_ATTEMPTS", default=3)
# /healthz answers 503 when the oldest job waiting in the queue is older than this: the
# workers have stopped taking jobs (or can't keep up).
HEALTHZ_QUEUE_LIMIT = env.int("HEALTHZ_QUEUE_LIMIT", default=300)
# A client's export can be downloaded for this long after it is ready, then it is deleted.
EXPORT_DOWNLOAD_MINUTES = env.float("EXPORT_DOWNLOAD_MINUTES", default=30)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://aftercare")}
if env("REDIS_URL", default=""):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}

# django-ratelimit counts in the default cache. Local memory is fine for one process (a
# laptop, the tests); production sets REDIS_URL so every worker shares the counts. The
# database cache (CACHE_URL=dbcache://aftercare_cache, after `manage.py createcachetable`)
# is shared too, but its increments are not atomic: under a burst a few attempts may go
# uncounted, which a throttle can live with.
RATELIMIT_USE_CACHE = "default"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DatabaseCache")):
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# Behind a proxy every request comes from the proxy's address. Name the header the proxy
# sets to the real one (e.g. HTTP_X_REAL_IP), and make sure the proxy overwrites it: a
# header the client can set is a header the client can fake. Read in one place
# (aftercare/addresses.py) for the login throttle, the client-link throttle and the audit
# log's address hashes.
CLIENT_ADDRESS_HEADER = env("DJANGO_CLIENT_ADDRESS_HEADER", default="")
RATELIMIT_IP_META_KEY = "aftercare.addresses.client_address"
# Wrong tokens one address may try per minute before client links answer 429.
CLIENT_LINK_MISS_RATE = env("CLIENT_LINK_MISS_RATE", default="20/m")
# Handouts and calendar files one client link may have made (aftercare/link_files.py),
# from any number of addresses, before 429: a handout takes up to a second of a worker.
CLIENT_LINK_FILES_RATE = env("CLIENT_LINK_FILES_RATE", default="30/h")
# Changes one client link (or one link in a reminder email) may ask for, from any number of
# addresses, before 429: ticks, feelings, words, reminder settings, phones, confirm, stop.
CLIENT_LINK_POSTS_RATE = env("CLIENT_LINK_POSTS_RATE", default="120/h")
# Wrong or tampered tokens in the staff-side emailed links (sign-up confirmation, team
# invite, password reset) one address may try before they answer 429; and the sign-up and
# join forms one address may post, failed ones included (a taken username says so).
TOKEN_MISSES_PER_ADDRESS = env("TOKEN_MISSES_PER_ADDRESS", default="20/m")
ACCOUNT_FORMS_PER_ADDRESS = env("ACCOUNT_FORMS_PER_ADDRESS", default="30/h")
# Failed logins before the login form locks out: per address (the usual guesser), and per
# username (a guesser spread over many addresses). Only failures count.
LOGIN_FAILURES_PER_ADDRESS = env("LOGIN_FAILURES_PER_ADDRESS", default="10/5m")
LOGIN_FAILURES_PER_USERNAME = env("LOGIN_FAILURES_PER_USERNAME", default="20/h")
# "Forgot your password?": every request counts, per address and per email typed.
PASSWORD_RESETS_PER_ADDRESS = env("PASSWORD_RESETS_PER_ADDRESS", default="10/h")
PASSWORD_RESETS_PER_EMAIL = env("PASSWORD_RESETS_PER_EMAIL", default="3/h")
# New clinics signed up from one address, and confirmation emails sent again per login.
SIGNUPS_PER_ADDRESS = env("SIGNUPS_PER_ADDRESS", default="5/h")
CONFIRMATION_RESENDS_PER_LOGIN = env("CONFIRMATION_RESENDS_PER_LOGIN", default="5/h")

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Aftercare <aftercare@localhost>")
# Emails go out from a job (aftercare/tasks.py); a mail server that answers "not now" (4xx)
# is tried again this many times in all, first after EMAIL_RETRY_SECONDS, then doubling.
EMAIL_RETRIES = env.int("EMAIL_RETRIES", default=5)
EMAIL_RETRY_SECONDS = env.float("EMAIL_RETRY_SECONDS", default=60)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Reminders (aftercare/reminders.py, README "Reminders"). Web Push signs with a VAPID key:
# the private key as base64url (the raw 32 bytes, as `vapid --gen` or web-push's
# generate-vapid-keys prints) or PEM; the public key is derived from it. Without one the
# client's page offers email and the calendar, not this phone's notifications.
WEBPUSH_VAPID_PRIVATE_KEY = env("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env("WEBPUSH_VAPID_SUBJECT", default="mailto:aftercare@localhost")
# The push services the server will POST to: https only, these hosts only ("*." for any
# subdomain). Never a private or loopback address.
WEBPUSH_SERVICE_HOSTS = env.list("WEBPUSH_SERVICE_HOSTS", default=[
    "fcm.googleapis.com", "updates.push.services.mozilla.com", "*.push.apple.com", "*.notify.windows.com",
])
# Only the test settings turn this on: a local receiver stands in for a push service.
WEBPUSH_ALLOW_LOOPBACK = False
# Reminders in batches of this many clients a job, so several workers share a busy minute.
REMINDER_BATCH = env.int("REMINDER_BATCH", default=250)
# Confirmation emails one client may ask for in a day (a page can't be used to mail bomb).
REMINDER_CONFIRMATIONS_PER_DAY = env.int("REMINDER_CONFIRMATIONS_PER_DAY", default=5)

# Behind a TLS-terminating proxy that says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie (forms carry the token), so scripts can't either.
CSRF_COOKIE_HTTPONLY = True
# Same policy in development as in production, so a browser test meets any inline script or
# style="" long before a clinic does. Bootstrap's CSS draws its checkboxes and select
# arrows with data: SVGs, hence img-src data:. Django's admin needs no exception (5.2 keeps
# its scripts in files; its JSON data blocks are not run).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The load balancer's probe speaks plain HTTP to the app itself.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Client-link tokens never reach a log line (aftercare/redact.py): Django's own messages
# ("Not Found: /h/…/"), tracebacks and runserver's request lines go through the filter.
# Django's default console handler on the "django" logger (unfiltered) gives way to the
# root's; so does its mail_admins handler, on purpose: error mail carries the request's
# address and headers, client-link tokens included. Errors go to the logs only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_client_links": {"()": "aftercare.redact.HideClientLinks"}},
    "formatters": {
        "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["hide_client_links"]},
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["hide_client_links"]},
    },
    "loggers": {
        "django": {"handlers": [], "level": env("DJANGO_LOG_LEVEL", default="WARNING"), "propagate": True},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

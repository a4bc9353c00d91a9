"""No cache keeps what the clinic sees. Every answer to someone logged in (the client's
page and live link, the visit page with its QR code, the day's list, clinic settings) and
every file made from a clinic's data (a handout, the day's PDF, an export, a calendar
file) says `Cache-Control: private, no-store`: no shared cache on the way keeps it, and
neither does the browser, so the back button on a shared reception computer after logging
out shows nothing."""

from django.conf import settings
from django.utils.cache import patch_cache_control

PRIVATE_FILES = ("application/pdf", "application/zip", "text/calendar")


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The session cookie, on the way in or out, says someone is (or is becoming) logged
        # in, without a query: request.user would cost the client's page a session read.
        session = settings.SESSION_COOKIE_NAME
        if (
            session in request.COOKIES
            or session in response.cookies
            or response.get("Content-Type", "").startswith(PRIVATE_FILES)
        ):
            if "Cache-Control" in response:
                patch_cache_control(response, private=True, no_store=True)
            else:
                response["Cache-Control"] = "private, no-store"
        return response

"""/healthz for the load balancer: 200 once the database answers, 503 while it doesn't.

Answered by a middleware that runs before anything reads the Host header, because probes
come by the app's own address (http://10.0.0.5:8000/healthz), which ALLOWED_HOSTS rightly
doesn't list. The URL pattern stays, so the route is reversed and listed like any other;
both go to the one view here."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        # Take this worker out of the balancer's rotation, rather than report a 500 bug.
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")


class HealthzMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)

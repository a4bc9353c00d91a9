"""/healthz for the load balancer: 200 once the database answers and the workers take jobs
in time; 503 with the reason while the database doesn't answer or the oldest job that could
run has waited over HEALTHZ_QUEUE_LIMIT seconds (aftercare.worker.queue_problem).

Answered by a middleware that runs before anything reads the Host header, because probes
come by the app's own address (http://10.0.0.5:8000/healthz), which ALLOWED_HOSTS rightly
doesn't list. The URL pattern stays, so the route is reversed and listed like any other;
both go to the one view here."""

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from aftercare import worker


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        problem = worker.queue_problem()  # on the database queue, its query is the database's answer
    except DatabaseError:
        # Take this worker out of the balancer's rotation, rather than report a 500 bug.
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    if problem:
        return HttpResponse(problem, content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")


class HealthzMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)

"""/healthz for the load balancer: 200 once the database answers, 503 while it doesn't.

Answered by a middleware that runs before anything reads the Host header, because probes
come by the app's own address (http://10.0.0.5:8000/healthz), which ALLOWED_HOSTS rightly
doesn't list. The URL pattern stays, so the route is reversed and listed like any other."""

from django.http import HttpRequest, HttpResponse

from aftercare import views


class HealthzMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return views.healthz(request)
        return self.get_response(request)

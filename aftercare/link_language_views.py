"""The client's choice of language, from the switcher at the foot of their page: their
page, handouts, calendar and emails are in it from then on."""

from __future__ import annotations

from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aftercare.forms import ClientLanguageForm
from aftercare.link_page import get_link
from aftercare.link_views import private_page


@csrf_exempt
@require_POST
@private_page
def client_language(request, token: str):
    """Sets the client's language and opens their page again. A code the app doesn't speak
    (a tampered form, a bot) changes nothing: the page opens as it was, in the language it
    was in. The same protection as a check-in (link_views.check_in says why no CSRF token)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return HttpResponseForbidden(gettext("The language is chosen on your own homework page."))
    link = get_link(request, token)
    form = ClientLanguageForm(request.POST)
    client = link.client
    if form.is_valid() and form.cleaned_data["language"] != client.language:
        client.language = form.cleaned_data["language"]
        client.save(update_fields=["language", "updated_at"])
    return redirect(link.path)

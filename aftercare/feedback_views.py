"""The client's word from their link page (no account): how an item felt, and a word on the
homework as a whole. Plain form posts that come back to the page, as ticks do; see
link_views.check_in for why CSRF is checked by the link and the browser's own marking."""

from __future__ import annotations

from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aftercare import link_page
from aftercare.feedback import Feeling, HomeworkWord, ItemFeeling
from aftercare.feedback_forms import FeelingForm, WordForm
from aftercare.link_page import get_link
from aftercare.link_views import in_clients_language, private_page
from aftercare.models import HomeworkItem, Visit

CROSS_SITE = gettext_lazy("Your word comes from your own homework page.")


def refused(request, link, status: int = 400, **forms):
    """The page again, with what was wrong and what was typed (never cached), in the
    client's language as their page is."""
    with in_clients_language(link):
        context = link_page.page_context(link.client_id, link.token, timezone.localdate(), **forms)
        return render(request, "link/homework.html", context, status=status)


@csrf_exempt
@require_POST
@private_page
def item_feeling(request, token: str):
    """How an item felt today: the same tap again is no change, another tap replaces it.
    "It hurt" comes back to the page open at the item's cautions and "stop, and tell"."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return HttpResponseForbidden(str(CROSS_SITE))
    link = get_link(request, token)
    form = FeelingForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        if set(form.errors) == {"day"}:
            with in_clients_language(link):  # the message in the client's language too
                return refused(request, link, refused_message=form.errors["day"][0], feeling_form=form)
        raise Http404
    item = get_object_or_404(HomeworkItem.objects.filter(visit__client=link.client), pk=form.cleaned_data["item"])
    feeling = ItemFeeling.say(item, form.cleaned_data["day"], form.cleaned_data["feeling"])
    anchor = f"hurt-{item.pk}" if feeling.feeling == Feeling.HURT else f"feeling-{item.pk}"
    return redirect(f"{link.path}#{anchor}")


@csrf_exempt
@require_POST
@private_page
def homework_word(request, token: str):
    """"Not today" or "this doesn't fit my week", with a short note if they like."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return HttpResponseForbidden(str(CROSS_SITE))
    link = get_link(request, token)
    form = WordForm(request.POST)
    if not form.is_valid():
        if "visit" in form.errors:
            raise Http404
        return refused(request, link, word_form=form)
    visit = get_object_or_404(Visit.objects.filter(client=link.client).with_homework(), pk=form.cleaned_data["visit"])
    HomeworkWord.say(visit, timezone.localdate(), form.cleaned_data["word"], form.cleaned_data["note"])
    return redirect(f"{link.path}#word")

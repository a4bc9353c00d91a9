"""A therapist's own details: their name as clients see it, and their email."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext

from clients.access import therapist_required
from clients.forms import YourDetailsForm


@therapist_required
def your_details(request):
    form = YourDetailsForm(request.POST or None, instance=request.user, initial={"language": request.therapist.language})
    if form.is_valid():
        form.save()
        if form.cleaned_data["language"] != request.therapist.language:
            request.therapist.language = form.cleaned_data["language"]
            request.therapist.save(update_fields=["language"])
            translation.activate(request.therapist.language or translation.get_language_from_request(request))
        messages.success(request, gettext("Saved. Clients' questions now go to this address.") if form.cleaned_data["email"]
                         else gettext("Saved. Clients' questions go to the clinic's address."))
        return redirect("your-details")
    return render(request, "registration/your_details.html", {"form": form}, status=400 if form.errors else 200)

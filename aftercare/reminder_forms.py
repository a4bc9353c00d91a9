"""The client's reminder choices on their link page: plain HTML forms, no account."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from aftercare.reminders import DAY_NAMES, zone_names

TIME_MESSAGES = {"required": _("Choose a time of day for your reminder."), "invalid": _("Choose a time like 07:30 or 19:00.")}


class ReminderSettingsForm(forms.Form):
    """A time, the days and the ways. The time zone comes from the phone (the page's
    script fills it in); one it doesn't know is left out, and the clinic's is used."""

    at = forms.TimeField(
        label=_("Remind me at"), error_messages=TIME_MESSAGES,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    days = forms.TypedMultipleChoiceField(
        label=_("On which days?"), choices=list(enumerate(DAY_NAMES)), coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pick at least one day (or stop reminders below)."),
                        "invalid_choice": _("Pick days of the week from the list.")},
    )
    by_email = forms.BooleanField(label=_("Email me"), required=False)
    email = forms.EmailField(
        label=_("Your email"), required=False, max_length=254,
        error_messages={"invalid": _("That email address doesn't look complete: something like name@example.com.")},
    )

    def __init__(self, *args, known_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.known_email = known_email

    @property
    def time_zone(self) -> str:
        """The phone's zone, filled in by the page's script: not a field the client sees,
        so one we don't know is left out quietly (the clinic's zone is used)."""
        name = self.data.get("time_zone", "") if self.is_bound else ""
        return name if isinstance(name, str) and name in zone_names() else ""

    def clean_days(self) -> str:
        return "".join(str(day) for day in sorted(set(self.cleaned_data["days"])))

    def clean(self):
        cleaned = super().clean()
        cleaned["time_zone"] = self.time_zone
        if cleaned.get("by_email") and not cleaned.get("email") and "email" not in self.errors:
            if self.known_email:
                cleaned["email"] = self.known_email
            else:
                self.add_error("email", _("Type the email address for your reminders."))
        return cleaned

    @property
    def time_text(self) -> str:
        value = self["at"].value()
        return value.strftime("%H:%M") if isinstance(value, datetime.time) else (value or "")

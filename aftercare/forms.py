import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from aftercare.feedback import can_tick
from aftercare.models import HomeworkItem, Visit
from clients.models import Client
from exercises.fields import TickedRowsField, tidy_dose_fields
from exercises.models import Complaint, Dose
from exercises.translations import language_for


class VisitForm(forms.ModelForm):
    complaints = TickedRowsField(
        queryset=Complaint.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "complaint-choice"}),
        label=_("What did they come in with?"),
    )

    class Meta:
        model = Visit
        fields = ["complaints", "intake_note"]
        labels = {"intake_note": _("Note")}
        widgets = {"intake_note": forms.Textarea(attrs={"rows": 3, "placeholder": _("Anything they mentioned at intake")})}

    def __init__(self, *args, clinic=None, submit_label=_("Save"), form_tag=True, **kwargs):
        super().__init__(*args, **kwargs)
        # The built-in complaints and the clinic's own (only the built-in ones without a clinic).
        self.fields["complaints"].queryset = Complaint.objects.for_clinic(clinic)
        self.helper = FormHelper()
        self.helper.form_tag = form_tag  # the visit page writes its own, with htmx on it
        self.helper.layout = Layout(
            Div(Field("complaints"), css_class="complaint-grid"),
            "intake_note",
            Submit("save", submit_label, css_class="btn-lg"),
        )

    def clean_intake_note(self):
        return self.cleaned_data["intake_note"].strip()


NOTE_TOO_LONG = _(
    "A note can be up to %(limit_value)d characters, and this one has %(show_value)d. "
    "Shorten it a little: what you typed is all still here."
)


def counted(field: forms.Field) -> None:
    """A live count under the field instead of the browser's silent cut at maxlength
    (static/js/count.js); the server says clearly when it's too long."""
    limit = field.widget.attrs.pop("maxlength", None) or field.max_length
    field.widget.attrs["data-count-max"] = limit
    field.error_messages["max_length"] = NOTE_TOO_LONG


class HomeworkItemForm(forms.ModelForm):
    """How often and how much, for one homework item. Starts from the exercise's own."""

    class Meta:
        model = HomeworkItem
        fields = [*Dose.DOSE_FIELDS, "note"]
        labels = {
            "how_often": _("How often"),
            "times_per_week": _("Days a week"),
            "sets": _("Sets"),
            "reps": _("Reps"),
            "hold_seconds": _("Hold (seconds)"),
            "minutes": _("Minutes"),
            "note": _("Personal note"),
        }
        widgets = {
            "how_often": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3, "placeholder": _("e.g. Do it after your evening walk, gently.")}),
        }

    def __init__(self, *args, submit_label=_("Add to homework"), conflicts=(), **kwargs):
        super().__init__(*args, **kwargs)
        tidy_dose_fields(self)
        counted(self.fields["note"])
        extra = []
        if conflicts:
            names = ", ".join(c.name.lower() for c in conflicts)
            self.fields["confirm"] = forms.BooleanField(
                required=True,
                label=_("I've checked: it is safe for them despite %(names)s") % {"names": names},
                error_messages={
                    "required": _("This exercise is not usually for %(names)s. Tick to confirm, or choose another.") % {"names": names}
                },
            )
            extra = ["confirm"]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("how_often", css_class="col-sm-7"),
                Column("times_per_week", css_class="col-sm-5"),
            ),
            Row(
                Column("sets", css_class="col-6 col-md-3"),
                Column("reps", css_class="col-6 col-md-3"),
                Column("hold_seconds", css_class="col-6 col-md-3"),
                Column("minutes", css_class="col-6 col-md-3"),
            ),
            "note",
            *extra,
            Submit("save", submit_label, css_class="btn-lg"),
        )

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def details(self) -> dict:
        """What visit.assign() takes, once the form is valid."""
        return {name: getattr(self.instance, name) for name in self.Meta.fields}


class ItemNoteForm(forms.ModelForm):
    """The personal note of a chosen item, on the visit page. Each item's form has its own
    prefix, so two notes on one page keep their own fields."""

    class Meta:
        model = HomeworkItem
        fields = ["note"]
        labels = {"note": _("Personal note")}
        widgets = {"note": forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. Do it after your evening walk, gently.")})}

    def __init__(self, *args, autofocus: bool = False, **kwargs):
        kwargs.setdefault("prefix", f"item-{kwargs['instance'].pk}")
        super().__init__(*args, **kwargs)
        counted(self.fields["note"])
        if autofocus:
            self.fields["note"].widget.attrs["autofocus"] = True

    def clean_note(self):
        return self.cleaned_data["note"].strip()


class WrapUpForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["referral", "referral_note", "next_goal", "rebook_weeks", "reminder_time", "reminder_words"]
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "reminder_words": forms.TextInput(attrs={"placeholder": _("e.g. after the school run")}),
            "rebook_weeks": forms.RadioSelect(attrs={"class": "rebook-choice"}),
            "next_goal": forms.TextInput(attrs={"placeholder": _("e.g. Looser pecs, fewer headaches at work")}),
            "referral_note": forms.TextInput(attrs={"placeholder": _("e.g. for the heel pain that keeps coming back")}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].choices = [("", _("No referral")), *self.fields["referral"].choices[1:]]
        self.fields["rebook_weeks"].choices = [("", _("Not decided")), *self.fields["rebook_weeks"].choices[1:]]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("referral", css_class="col-md-5"), Column("referral_note", css_class="col-md-7")),
            "next_goal",
            Div(Field("rebook_weeks"), css_class="rebook-grid"),
            Row(Column("reminder_time", css_class="col-md-4"), Column("reminder_words", css_class="col-md-8")),
        )
        self.fields["reminder_time"].help_text = _("Offered first on their page when they set reminders.")
        self.fields["reminder_time"].error_messages["invalid"] = _("Choose a time like 07:30 or 19:00.")

    def clean(self):
        cleaned = super().clean()
        note = cleaned.get("referral_note")  # absent when it was refused for its length
        if cleaned.get("referral") == "other" and note is not None and not note.strip():
            self.add_error("referral_note", _("Say who you'd suggest they see."))
        return cleaned


class ItemDayForm(forms.Form):
    """A tap on one item of the client's page for a day the page showed: the day is one of
    the last seven (a day missed is answered afterwards); none given is today."""

    # Hidden fields on the page: nobody types them.
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    day = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day is None:
            return self.today
        if not can_tick(day, self.today):
            raise forms.ValidationError(TICK_WINDOW, code="out_of_window")
        return day


class CheckInForm(ItemDayForm):
    """A tap on "I did it today" (or undo), or on one of the last seven days (a day missed
    is ticked afterwards). The day is the one the page was showing, so a tap just after
    midnight counts for the day the client saw; none given is today. A day in the future or
    more than a week back is refused with a message (aftercare/feedback.py, TICKABLE_DAYS)."""

    action = forms.ChoiceField(choices=[("done", "done"), ("undo", "undo")])


TICK_WINDOW = _("You can tick today and the six days before it: that day is outside them, so nothing changed.")


class ReminderForm(forms.Form):
    """The time of day for reminders; the calendar file's bare address means 7 in the evening."""

    time = forms.TimeField(
        required=False,
        label=_("What time suits you?"),
        initial=datetime.time(19, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Choose a time of day for your reminder."),
            "invalid": _("Choose a time like 07:30 or 19:00."),
        },
    )

    def clean_time(self):
        return self.cleaned_data["time"] or self.fields["time"].initial


class LinkReplaceForm(forms.Form):
    """Which link the page showed when "Replace link" was pressed (see ShareLink.replace)."""

    link = forms.IntegerField(required=False, widget=forms.HiddenInput)


class LinkEmailForm(forms.ModelForm):
    """The client's email, to send their link to; saved on the client."""

    class Meta:
        model = Client
        fields = ["email"]
        labels = {"email": _("Their email")}
        error_messages = {"email": {"required": _("Add their email address to send the link.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].widget.attrs.update({"placeholder": _("name@example.com"), "autocomplete": "off"})


class DayForm(forms.Form):
    """Which day's visits to list and print; today when none is given."""

    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": "2000-01-01", "max": "2999-12-31"}),
        error_messages={"invalid": _("Enter a valid date.")},
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and not (datetime.date(2000, 1, 1) <= date <= datetime.date(2999, 12, 31)):
            raise forms.ValidationError(_("Choose a date between the year 2000 and 2999."))
        return date


class ClientLanguageForm(forms.Form):
    """The client's choice of language on their page. Regional variants read as their
    language ("fr-CA" is French); anything the app doesn't speak is refused."""

    language = forms.CharField(max_length=100)

    def clean_language(self) -> str:
        language = language_for(self.cleaned_data["language"])
        if language is None:
            raise forms.ValidationError(_("Not a language this page is written in."), code="unknown")
        return language

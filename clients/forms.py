import datetime
import re
import unicodedata
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import dateformat, timezone

from clients import tasks
from clients.models import Client, Clinic, ClientQuerySet
from exercises.images import clean_upload
from exercises.fields import TickedRowsField
from exercises.forms import PICTURE_TYPES
from exercises.models import Condition, Equipment
from outbox.mail import new_email_key
from django.utils.translation import gettext_lazy as _

FIRST_NAME_NEEDED = _("A first name is enough, but we need that.")
EMAIL_TAKEN = _("Someone already signed up with that email. Log in, or use “Forgot your password?” on the login page.")
USERNAME_TAKEN = _("Someone already logs in with that username. Try another.")


DUPLICATES_SHOWN = 3


@dataclass(frozen=True)
class PossibleDuplicate:
    client: Client
    question: str  # "Is this Hannah Desk, last seen 3 Nov?"
    why: str  # "same email"


def _short_date(day: datetime.date) -> str:
    return dateformat.format(day, _("j M") if day.year == timezone.localdate().year else _("j M Y"))


def _possible_duplicate(client: Client, typed: dict) -> PossibleDuplicate:
    seen = getattr(client, "last_seen", None)
    if seen:
        when = _("last seen %(date)s") % {"date": _short_date(seen)}
    else:
        when = _("added %(date)s, no visits yet") % {"date": _short_date(timezone.localtime(client.created_at).date())}
    if typed.get("email") and client.email.lower() == typed["email"].strip().lower():
        why = _("same email")
    elif typed.get("phone") and client.phone and re.sub(r"\D", "", client.phone)[-9:] == re.sub(r"\D", "", typed["phone"])[-9:]:
        why = _("same phone")
    else:
        why = _("same name")
    return PossibleDuplicate(client, _("Is this %(name)s, %(when)s?") % {"name": client.full_name, "when": when}, str(why))


class DuplicateCheck:
    """For forms that add a client: before the new client is made, anyone among `clients`
    (the clinic's, annotated with `last_seen`, the date of their last visit) who may be the
    same person is offered instead. The question is the error of the hidden
    `different_person` field, which the "No, a different person" button sets, so a second
    submit with it adds them, and everything typed stays in the form meanwhile."""

    def check_duplicates(self, clients: ClientQuerySet | None) -> None:
        self.duplicates: list[PossibleDuplicate] = []
        data = self.cleaned_data
        if clients is None or self.errors or data.get("different_person"):
            return
        matches = clients.possible_duplicates(
            first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
            email=data.get("email", ""), phone=data.get("phone", ""),
        ).order_by("-last_seen", "-created_at")[:DUPLICATES_SHOWN]
        self.duplicates = [_possible_duplicate(client, data) for client in matches]
        if self.duplicates:
            self.add_error("different_person", [ValidationError(d.question, code="duplicate") for d in self.duplicates])


def _different_person_field():
    return forms.BooleanField(required=False, widget=forms.HiddenInput, label=_("A different person"))


class ClientForm(DuplicateCheck, forms.ModelForm):
    different_person = _different_person_field()
    """A client's details, what they have at home and their health flags, on one form so
    the therapist records it all in seconds."""

    HOME_CHOICES = [
        ("ticked", _("What's ticked")),
        ("nothing", _("Nothing at home")),
        ("not_asked", _("Not asked yet")),
    ]
    home = forms.ChoiceField(
        choices=HOME_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        label=_("At home"),
    )
    equipment = TickedRowsField(
        queryset=Equipment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What they have at home"),
        help_text=_(
            "Everyday things (a wall, a towel, a chair, a step...) are ticked: untick what they don't have. "
            "Suggestions they can do with these come first."
        ),
    )
    conditions = TickedRowsField(
        queryset=Condition.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Health flags"),
        help_text=_("Exercises that aren't for these are left out of the suggestions."),
    )

    class Meta:
        model = Client
        fields = ["first_name", "last_name", "email", "phone", "language", "equipment", "conditions", "no_floor"]
        labels = {"first_name": _("First name"), "last_name": _("Last name"), "email": _("Email"), "phone": _("Phone")}
        help_texts = {"email": _("For sending them their homework link.")}
        error_messages = {"first_name": {"required": FIRST_NAME_NEEDED}}

    def __init__(self, *args, clinic: Clinic, submit_label=_("Save"), duplicates_among: ClientQuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates_among = duplicates_among
        offered = clinic.offered_equipment()
        # Everyday things are always offered (they count as at home until unticked); what the
        # client already has stays ticked even if the clinic's list changed.
        offered = Equipment.objects.filter(Q(pk__in=offered.values("pk")) | Q(everyday=True))
        if self.instance.pk:
            offered = offered | self.instance.equipment.all()
        self.fields["equipment"].queryset = offered.distinct().order_by("everyday", "name")
        recorded = self.instance.pk and self.instance.equipment_recorded_at
        if not recorded:
            # Not asked yet: everyday things start ticked, as they are assumed until unticked.
            self.initial["equipment"] = [e.pk for e in self.fields["equipment"].queryset if e.everyday]
            self.initial["home"] = "not_asked"
        else:
            self.initial["home"] = "ticked" if self.initial.get("equipment") else "nothing"
        self.fields["first_name"].widget.attrs["autofocus"] = True
        # A new client speaks the clinic's language until the therapist says otherwise; a
        # form sent without the field (an older page) keeps the language they had.
        self.clinic = clinic
        self.fields["language"].choices = list(settings.LANGUAGES)
        if not self.instance.pk or not self.instance.language:
            self.initial["language"] = clinic.language
        self.helper = FormHelper()
        self.helper.layout = Layout(
            HTML('{% include "clients/_duplicates.html" %}'),
            Row(Column("first_name", css_class="col-sm-6"), Column("last_name", css_class="col-sm-6")),
            Row(Column("email", css_class="col-sm-6"), Column("phone", css_class="col-sm-6")),
            Row(Column("language", css_class="col-sm-6")),
            Div(Field("home"), css_class="home-status"),
            Div(Field("equipment"), css_class="equipment-grid"),
            Div(Field("conditions"), css_class="condition-grid"),
            "no_floor",
            Submit("save", submit_label, css_class="btn-lg"),
        )

    def clean(self):
        """_("Nothing at home") empties the list; _("Not asked yet") forgets the answer. Left on
        _("Not asked yet") (or not sent at all) with ticks that differ from the everyday ones,
        the ticks are the answer."""
        cleaned = super().clean()
        before = self._home_answer(self.instance.equipment_recorded_at, self.initial.get("equipment"))
        home = cleaned.get("home") or ""
        ticked = {e.pk for e in cleaned.get("equipment") or ()}
        everyday = {e.pk for e in self.fields["equipment"].queryset if e.everyday}
        if home in ("", "not_asked") and ticked and ticked != everyday:
            home = "ticked"
        if home == "" and self.instance.equipment_recorded_at:
            home = "ticked"
        if home == "nothing":
            cleaned["equipment"] = Equipment.objects.none()
        if home in ("ticked", "nothing"):
            after = frozenset(e.pk for e in cleaned.get("equipment") or ())
        else:
            after = None
            # Not asked: whatever was ticked before stays as it was, unused.
            cleaned["equipment"] = self.instance.equipment.all() if self.instance.pk else Equipment.objects.none()
        self._home_changed = before != after
        if after is None:
            self.instance.equipment_recorded_at = None
        elif self._home_changed:
            self.instance.equipment_recorded_at = timezone.now()  # asked today
        self.check_duplicates(self.duplicates_among)
        return cleaned

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self.instance.language or self.clinic.language

    @staticmethod
    def _home_answer(recorded_at, equipment) -> frozenset | None:
        if recorded_at is None:
            return None
        return frozenset(getattr(e, "pk", e) for e in equipment or ())

    @property
    def changed_data(self) -> list[str]:
        """What changed, as the audit log names it: the answer about home equipment counts
        when it changed (asked, unasked, other things ticked), never the radio itself."""
        changed = [name for name in super().changed_data if name not in ("home", "equipment", "language")]
        if getattr(self, "_home_changed", False):
            changed.append("equipment")
        # A form sent without the language keeps it (clean_language): that is no change.
        if getattr(self, "cleaned_data", {}).get("language", self.initial.get("language")) != self.initial.get("language"):
            changed.append("language")
        return changed



class QuickClientForm(DuplicateCheck, forms.ModelForm):
    """Add a client with just a name, from the top of the list."""

    different_person = _different_person_field()

    class Meta:
        model = Client
        fields = ["first_name", "last_name"]
        widgets = {
            "first_name": forms.TextInput(
                attrs={"placeholder": _("First name"), "aria-label": _("First name"), "class": "form-control form-control-lg"}
            ),
            "last_name": forms.TextInput(
                attrs={"placeholder": _("Last name (optional)"), "aria-label": _("Last name"), "class": "form-control"}
            ),
        }
        error_messages = {"first_name": {"required": FIRST_NAME_NEEDED}}

    def __init__(self, *args, duplicates_among: ClientQuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates_among = duplicates_among

    def clean(self):
        cleaned = super().clean()
        self.check_duplicates(self.duplicates_among)
        return cleaned


class ClinicForm(forms.ModelForm):
    new_logo = forms.FileField(
        required=False,
        label=_("Logo"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB. It goes at the top of every handout and client page."),
        widget=forms.FileInput(attrs={"accept": PICTURE_TYPES}),
    )
    remove_logo = forms.BooleanField(required=False, label=_("Remove the logo"))
    booking_url = forms.URLField(
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Give the web address of your booking page, like https://book.example.com.")},
        label=_("Booking link"),
        help_text=_("Where clients book their next session; shown on their page."),
    )
    equipment = TickedRowsField(
        queryset=Equipment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Equipment you ask clients about"),
        help_text=_("None ticked offers the whole list."),
    )

    class Meta:
        model = Clinic
        fields = ["name", "address", "phone", "email", "booking_url", "paper_size", "language", "link_lifetime_days", "equipment"]
        labels = {
            "name": _("Name"),
            "address": _("Address"),
            "phone": _("Phone"),
            "email": _("Email"),
            "paper_size": _("Paper size"),
            "booking_url": _("Booking link"),
            "link_lifetime_days": _("How long client links last (days)"),
        }
        help_texts = {
            "booking_url": _("Where clients book their next session; shown on their page."),
            "link_lifetime_days": _("For links made from now on: after this many days a client's link stops opening until you give them a new one. Links already given keep their date."),
            "email": _("Clients' questions come here."),
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "paper_size": forms.RadioSelect}
        error_messages = {"name": {"required": _("Your clinic needs a name: clients see it on every page.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False  # a form sent without it keeps the clinic's
        self.fields["link_lifetime_days"].min_value = 1
        self.fields["link_lifetime_days"].max_value = 730
        self.fields["link_lifetime_days"].widget.attrs.update({"min": 1, "max": 730})
        lifetime = self.fields["link_lifetime_days"]
        lifetime.validators = [_between(1, 730, _("Choose between 1 and 730 days (two years)."))]
        lifetime.error_messages = {**lifetime.error_messages, "invalid": _("Choose between 1 and 730 days (two years).")}
        if not self.instance.logo:
            del self.fields["remove_logo"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "name",
            Row(Column("new_logo", css_class="col-md-8"),
                Column(*(["remove_logo"] if "remove_logo" in self.fields else []), css_class="col-md-4")),
            Fieldset(
                _("How clients reach you"),
                "address",
                Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
                "booking_url",
            ),
            Fieldset(
                _("Handouts and links"),
                Row(Column("paper_size", css_class="col-md-6"), Column("link_lifetime_days", css_class="col-md-6")),
                Row(Column("language", css_class="col-md-6")),
            ),
            Div(Field("equipment"), css_class="equipment-grid"),
        )

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self.instance.language

    def clean_booking_url(self):
        url = self.cleaned_data["booking_url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise ValidationError(_("Give the web address of your booking page, starting with https://."))
        return url

    def clean_new_logo(self):
        upload = self.cleaned_data.get("new_logo")
        # A logo is small on the page: 800 px on its long side is plenty for print too.
        return clean_upload(upload, long_side=800, thumb_side=200) if upload else None


def _between(low: int, high: int, message: str):
    def check(value):
        if value is not None and not (low <= value <= high):
            raise ValidationError(message)

    return check


class TeamMemberForm(forms.ModelForm):
    """Add a therapist with a temporary password (shown once to the owner)."""

    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "username", "email"]
        help_texts = {"username": _("What they type to log in: letters, digits and @/./+/-/_ only.")}
        error_messages = {"username": {"unique": _("Someone already logs in with that username. Try another.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form carries the token
        self.helper.layout = Layout(
            Row(Column("first_name", css_class="col-md-6"), Column("last_name", css_class="col-md-6")),
            Row(Column("username", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            Submit("save", _("Add them with a temporary password")),
        )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Someone already logs in with that username. Try another."), code="unique")
        return username


class InviteForm(forms.Form):
    name = forms.CharField(
        required=False, max_length=120, label=_("Who it's for"),
        help_text=_("Only for you to recognise the invite, e.g. “Alex, Tuesdays”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form carries the token
        self.helper.layout = Layout("name", Submit("invite", _("Make an invite link")))


class JoinForm(UserCreationForm):
    """Someone with an invite link chooses how they log in."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["first_name", "last_name", "username"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form carries the token
        self.helper.layout = Layout(
            Row(Column("first_name", css_class="col-md-6"), Column("last_name", css_class="col-md-6")),
            "username",
            "password1",
            "password2",
            Submit("join", _("Join the team"), css_class="btn-lg"),
        )


class DangerSubmit(Submit):
    field_classes = "btn btn-danger"


class DeleteClientForm(forms.Form):
    """Deleting a client can't be undone, so the therapist types their first name."""

    confirm = forms.CharField(max_length=60, label=_("Type their first name to confirm"))

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["confirm"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = FormHelper()
        self.helper.layout = Layout("confirm", DangerSubmit("delete", _("Delete everything about them")))

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"]
        if _folded(typed) != _folded(self.client.first_name):
            raise ValidationError(
                _("That isn't “%(name)s”. Nothing was deleted; type their first name to go ahead.") % {"name": self.client.first_name},
                code="mismatch",
            )
        return typed


def _folded(name: str) -> str:
    # "maya " and "Maya" are the same answer; so are the two ways of writing "é".
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


class YourDetailsForm(forms.ModelForm):
    """A therapist's own name and email. The email is where a client's "Email <you> a
    question" goes, and where replies to an emailed link go; without one, the clinic's.
    And the language of their pages (on their Therapist row: the view applies it)."""

    language = forms.ChoiceField(
        choices=[("", _("Your browser's language"))] + list(settings.LANGUAGES),
        required=False,
        label=_("Language of your pages"),
        help_text=_("Clients get their page and handouts in their own language, whatever you choose here."),
    )

    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email"]
        labels = {"email": _("Your email")}
        help_texts = {
            "email": _(
                "Clients who email you a question from their page write here. Leave it empty to "
                "send their questions to the clinic's address."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("first_name", css_class="col-md-6"), Column("last_name", css_class="col-md-6")),
            "email",
            "language",
            Submit("save", _("Save"), css_class="btn-lg"),
        )


class SignUpForm(UserCreationForm):
    """A new clinic and its first owner, in one form."""

    clinic_name = forms.CharField(
        max_length=120,
        label=_("Your clinic's name"),
        help_text=_("Clients see it on their page and on every handout. You can change it later."),
        error_messages={"required": _("Your clinic needs a name: clients see it on every page.")},
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["first_name", "last_name", "email", "username"]
        labels = {"first_name": _("Your first name"), "email": _("Your email")}
        help_texts = {
            "email": _(
                "We send a link to confirm it; client links can be emailed once it's confirmed. "
                "It's also where a forgotten password is reset."
            ),
            "username": _("What you type to log in: letters, digits and @/./+/-/_ only."),
        }
        error_messages = {"username": {"unique": USERNAME_TAKEN}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["email"].required = True
        self.fields["email"].error_messages["required"] = _("Your email, please: we send you a link to confirm it.")
        self.fields["clinic_name"].widget.attrs["autofocus"] = True
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form carries the token
        self.helper.layout = Layout(
            "clinic_name",
            Row(Column("first_name", css_class="col-md-6"), Column("last_name", css_class="col-md-6")),
            "email",
            "username",
            Row(Column("password1", css_class="col-md-6"), Column("password2", css_class="col-md-6")),
            Submit("signup", _("Start my clinic"), css_class="btn-lg"),
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(EMAIL_TAKEN, code="taken")
        return email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(USERNAME_TAKEN, code="unique")
        return username


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's "forgot your password" form, its email handed to a worker
    (clients.tasks.send_password_reset) instead of sent while the person waits. The job
    holds who and where, not the link: the worker makes the token again, so the job table
    never holds a link that sets a password. The answer is the same whether or not the
    address has a login (Django's view), and with no mail server call in the request, it
    takes about the same time too."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        tasks.send_password_reset.enqueue(
            context["user"].pk, to_email, context["protocol"], context["domain"], context["site_name"],
            subject_template_name, email_template_name, new_email_key(),
        )

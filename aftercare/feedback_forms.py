"""The forms of "between visits": the client's word on their link page, and the therapist's
week page and nudge."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from aftercare.feedback import WORD_NOTE_LENGTH, Feeling, Word
from aftercare.forms import ItemDayForm, counted
from aftercare.nudges import NUDGE_LENGTH


class FeelingForm(ItemDayForm):
    """One tap on how an item felt, for the day the page showed."""

    feeling = forms.ChoiceField(choices=Feeling.choices)


class WordForm(forms.Form):
    """The client's word on the homework as a whole: "not today", or "this doesn't fit my
    week", with a short note if they like."""

    visit = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    word = forms.ChoiceField(choices=Word.choices, error_messages={"required": _("Choose one of the two buttons.")})
    note = forms.CharField(
        required=False,
        max_length=WORD_NOTE_LENGTH,
        strip=True,
        error_messages={
            "max_length": _(
                "A note can be up to %(limit_value)d characters, and this one has %(show_value)d. "
                "Shorten it a little: what you typed is all still here."
            ),
        },
    )

    def clean_note(self):
        # Kept as plain text (the page escapes it); control characters other than line
        # breaks say nothing a person meant.
        note = self.cleaned_data["note"]
        return "".join(ch for ch in note if ch in "\n\t" or ch.isprintable()).strip()


class NudgeForm(forms.Form):
    text = forms.CharField(
        label=_("What it says"),
        max_length=NUDGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a line or two for the nudge: a kind hello is plenty.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counted(self.fields["text"])
        self.helper = FormHelper()
        self.helper.layout = Layout("text", Submit("send", _("Send the nudge"), css_class="btn-lg"))

    def clean_text(self):
        return self.cleaned_data["text"].strip()


class BetweenFilterForm(forms.Form):
    """Whose clients the week page lists; the therapist's own unless they ask for the team."""

    who = forms.ChoiceField(choices=[("mine", _("My clients")), ("team", _("Whole team"))], required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def team(self) -> bool:
        return self.is_valid() and self.cleaned_data["who"] == "team"

    def page_number(self) -> int:
        return (self.is_valid() and self.cleaned_data["page"]) or 1

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exercises.fields import TickedRowsField, tidy_dose_fields
from exercises.images import clean_upload, refuse_too_many
from exercises.models import BodyArea, Complaint, Equipment, Exercise, ExerciseComplaint, Position
from exercises.translations import library_text

PICTURE_TYPES = "image/jpeg,image/png,image/webp"


class LibraryFilterForm(forms.Form):
    """Search the library by name or complaint, and narrow it by complaint, kind, body
    area and equipment. Used on the library page and on a visit's homework page."""

    q = forms.CharField(required=False, max_length=100, label=_("Search the library"))
    complaint = forms.ModelChoiceField(queryset=Complaint.objects.all(), required=False, empty_label=_("Any complaint"))
    kind = forms.ChoiceField(choices=[("", _("Any kind")), *Exercise.Kind.choices], required=False)
    body_area = forms.ChoiceField(choices=[("", _("Anywhere")), *BodyArea.choices], required=False, label=_("Body area"))
    equipment = forms.ModelChoiceField(
        queryset=Equipment.objects.all(), required=False, empty_label=_("Any equipment"), label=_("Equipment")
    )

    def __init__(self, *args, clinic=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.fields["complaint"].queryset = Complaint.objects.for_clinic(clinic)
        for name in ("complaint", "equipment"):  # in the reader's language, as the library's texts
            self.fields[name].label_from_instance = lambda row: library_text(str(row))
        self.fields["q"].widget.attrs["placeholder"] = _("Name or complaint, e.g. hamstring")
        for name, field in self.fields.items():
            if name != "q":
                field.widget.attrs["class"] = "form-select"

    def is_searching(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())

    def filter(self, exercises):
        data = self.cleaned_data
        if data["q"]:
            exercises = exercises.search(data["q"], clinic=self.clinic)
        if data["complaint"]:
            exercises = exercises.filter(complaints=data["complaint"])
        if data["kind"]:
            exercises = exercises.filter(kind=data["kind"])
        if data["body_area"]:
            exercises = exercises.filter(body_area=data["body_area"])
        if data.get("equipment"):
            exercises = exercises.filter(equipment=data["equipment"])
        return exercises


class LibraryBrowseForm(LibraryFilterForm):
    """The library page's filters: also whose exercise it is, and the retired ones."""

    source = forms.ChoiceField(
        choices=[("", _("Built-in and ours")), ("ours", _("Our own")), ("builtin", _("Built-in"))],
        required=False,
        label=_("Whose"),
    )
    retired = forms.BooleanField(required=False, label=_("Show retired ones instead"))

    def filter(self, exercises):
        exercises = super().filter(exercises)
        data = self.cleaned_data
        if data["source"] == "ours":
            exercises = exercises.filter(clinic__isnull=False)
        elif data["source"] == "builtin":
            exercises = exercises.filter(clinic__isnull=True)
        return exercises.filter(retired=data["retired"])


class MultiplePictureInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PicturesField(forms.FileField):
    """Zero or more uploaded pictures, each put through clean_upload()."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePictureInput(attrs={"accept": PICTURE_TYPES}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        refuse_too_many(len(files))  # before any is opened: each costs the request time
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(clean_upload(upload))
            except ValidationError as e:
                name = getattr(upload, "name", "") or _("That file")
                errors.extend(f"{name}: {message}" for message in e.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class PicturesToRemoveField(TickedRowsField):
    """Pictures ticked for removal. One that is already gone (a colleague removed it after
    the page was opened) is simply gone: nothing to refuse, and no box left to show why."""

    def clean(self, value):
        there = {str(pk) for pk in self.queryset.values_list("pk", flat=True)}
        return super().clean([pk for pk in value or () if str(pk) in there])


VERSION_GONE = _(
    "Choose one from the list: that exercise isn't in your library now (retired or removed "
    "after the page was opened). Reload to see the list again."
)


class ExerciseForm(forms.ModelForm):
    pictures = PicturesField(
        label=_("Add pictures"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB each. The first picture is the one clients and handouts show."),
    )
    remove_pictures = PicturesToRemoveField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Remove pictures")
    )

    class Meta:
        model = Exercise
        fields = [
            "name", "kind", "body_area", "equipment", "how_often", "times_per_week",
            "sets", "reps", "hold_seconds", "minutes", "steps", "why", "cautions",
            "side", "position", "off_floor", "feel", "mistake", "quick", "not_for", "easier", "harder",
        ]
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "body_area": _("Body area"),
            "sets": _("Sets"),
            "reps": _("Reps"),
            "minutes": _("Minutes"),
            "steps": _("Steps"),
            "side": _("Side"),
            "not_for": _("Not for"),
            "easier": _("An easier version"),
            "harder": _("A harder version"),
            "equipment": _("What it needs"),
            "how_often": _("How often"),
            "times_per_week": _("Days a week"),
            "hold_seconds": _("Hold (seconds)"),
            "why": _("Why it helps"),
            "cautions": _("Take care"),
        }
        field_classes = {"equipment": TickedRowsField, "not_for": TickedRowsField}
        help_texts = {
            "equipment": _("Leave empty if it needs nothing. Everyday things count as at home unless unticked for a client."),
            "not_for": _("Never suggested to clients with these health flags; a warning when found by search."),
            "off_floor": _("For a floor exercise: how to do it on a chair or a bed, or say there is no such version."),
            "steps": _("One step per line, the way you'd say it to a client."),
            "easier": _("Built-in or your own: shown beside this one, to step down when it is too much."),
            "harder": _("Built-in or your own: shown beside this one, to step up when it gets easy."),
        }
        widgets = {
            "equipment": forms.CheckboxSelectMultiple,
            "not_for": forms.CheckboxSelectMultiple,
            "how_often": forms.RadioSelect,
            "steps": forms.Textarea(attrs={"rows": 5, "placeholder": _("Lie on your back with the ball under…")}),
            "why": forms.Textarea(attrs={"rows": 2}),
            "cautions": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "name": {"required": _("Give it a name a client would recognise.")},
            "steps": {"required": _("Add the steps, one per line.")},
            "why": {"required": _("Say in a sentence why it helps: clients do what they understand.")},
        }

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self._offer_versions(clinic)
        if self.instance.pk:
            self.fields["remove_pictures"].queryset = self.instance.pictures.all()
        else:
            del self.fields["remove_pictures"]
        tidy_dose_fields(self)
        self.fields["position"].required = False  # standing unless said otherwise
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("kind", css_class="col-6 col-md-3"),
                Column("body_area", css_class="col-6 col-md-3")),
            Fieldset(
                _("How often and how much"),
                Row(Column("how_often", css_class="col-sm-7"), Column("times_per_week", css_class="col-sm-5")),
                Row(
                    Column("sets", css_class="col-6 col-md-3"),
                    Column("reps", css_class="col-6 col-md-3"),
                    Column("hold_seconds", css_class="col-6 col-md-3"),
                    Column("minutes", css_class="col-6 col-md-3"),
                ),
            ),
            "steps",
            Row(Column("side", css_class="col-6 col-md-4"), Column("position", css_class="col-6 col-md-4")),
            Row(Column("easier", css_class="col-md-6"), Column("harder", css_class="col-md-6")),
            "off_floor",
            "feel",
            "mistake",
            "quick",
            "why",
            "cautions",
            Div(Field("not_for"), css_class="condition-grid"),
            Div(Field("equipment"), css_class="equipment-grid"),
            "pictures",
            *(["remove_pictures"] if "remove_pictures" in self.fields else []),
        )

    def _offer_versions(self, clinic) -> None:
        """Easier and harder versions come from what the clinic can give (the built-in
        library and its own, never another clinic's); the ones already chosen stay
        choosable even if retired since, so saving something else never trips on them."""
        chosen = [pk for pk in (self.instance.easier_id, self.instance.harder_id) if pk]
        choices = (
            Exercise.objects.for_clinic(clinic)
            .filter(Q(pk__in=Exercise.objects.available_to(clinic).values("pk")) | Q(pk__in=chosen))
            .order_by("name", "pk")
        )
        if self.instance.pk:
            choices = choices.exclude(pk=self.instance.pk)
        for name in ("easier", "harder"):
            field = self.fields[name]
            field.queryset = choices
            field.empty_label = _("None")
            field.widget.attrs["class"] = "form-select"
            field.error_messages["invalid_choice"] = VERSION_GONE

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        data = super().clean()
        easier, harder = data.get("easier"), data.get("harder")
        if easier and easier == harder:
            self.add_error("harder", _("Choose a different exercise from the easier one."))
        return data

    def clean_position(self):
        return self.cleaned_data.get("position") or Position.STANDING

    def clean_steps(self):
        return "\n".join(line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip())


class ComplaintLinkForm(forms.ModelForm):
    class Meta:
        model = ExerciseComplaint
        fields = ["complaint", "rank"]
        labels = {"complaint": _("Helps with"), "rank": _("Rank")}
        widgets = {"rank": forms.NumberInput(attrs={"inputmode": "numeric"})}

    def __init__(self, *args, clinic=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complaint"].queryset = Complaint.objects.for_clinic(clinic)
        self.fields["complaint"].empty_label = _("Choose a complaint")
        self.fields["complaint"].widget.attrs["class"] = "form-select"
        self.fields["rank"].widget.attrs.update({"class": "form-control", "min": 1, "max": 99})
        self.fields["rank"].initial = 5
        self.fields["rank"].help_text = ""

    def clean_rank(self):
        rank = self.cleaned_data["rank"]
        if rank is None or not 1 <= rank <= 99:
            raise ValidationError(_("A rank from 1 (what you'd reach for first) to 99."))
        return rank


LINKED_MEANWHILE = _("It already helps with this one: someone added it after this page was opened. Reload to see it.")
ROW_CHANGED = _("This row changed since the page was opened. Reload the page and choose again.")


class BaseComplaintLinkFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "id" in form.fields:
            # The row's hidden id: only a page left open while the row went (or a tampered
            # one) sends a wrong one, and "This field is required." would puzzle anyone.
            form.fields["id"].error_messages = {
                **form.fields["id"].error_messages, "required": ROW_CHANGED, "invalid_choice": ROW_CHANGED,
            }

    def get_unique_error_message(self, unique_check):
        return _("Each complaint once, please: one of them is there twice.")

    def get_form_error(self):
        return _("This complaint is already chosen above.")

    def clean(self):
        super().clean()
        if self.instance.pk:
            self._refuse_links_saved_meanwhile()
        kept = [
            f for f in self.forms
            if f.has_changed() and f.cleaned_data.get("complaint") and not f.cleaned_data.get("DELETE")
        ]
        if not kept and not any(f.instance.pk and not f.cleaned_data.get("DELETE") for f in self.forms):
            raise ValidationError(_("Choose at least one complaint it helps with, so it can be suggested."))


    def _refuse_links_saved_meanwhile(self):
        """A new row for a complaint the exercise is already linked to by a row this page
        didn't show (a colleague added it after the page was opened): the database would
        refuse it, so the row says why. Runs a query."""
        shown = [form.instance.pk for form in self.initial_forms if form.instance.pk]
        saved = set(self.instance.complaint_links.exclude(pk__in=shown).values_list("complaint_id", flat=True))
        for form in self.extra_forms:
            complaint = form.cleaned_data.get("complaint") if form.has_changed() else None
            if complaint and complaint.pk in saved and not form.cleaned_data.get("DELETE"):
                form.add_error("complaint", LINKED_MEANWHILE)


ComplaintLinkFormSet = forms.inlineformset_factory(
    Exercise,
    ExerciseComplaint,
    form=ComplaintLinkForm,
    formset=BaseComplaintLinkFormSet,
    extra=3,
    can_delete=True,
    # A tampered form count must not make the page build a thousand rows (Django's default
    # cap): nobody links an exercise to more complaints than this.
    max_num=30,
    absolute_max=30,
)


class ComplaintForm(forms.ModelForm):
    """A clinic's own intake complaint, its red flags, and the exercises (built-in or the
    clinic's own) suggested for it."""

    exercises = TickedRowsField(
        queryset=Exercise.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12, "class": "form-select"}),
        label=_("Exercises suggested for it"),
        help_text=_(
            "Built-in ones and your own; hold Ctrl (Cmd on a Mac) to choose several. The first you "
            "choose isn't special: they are ranked after each other by name."
        ),
    )

    class Meta:
        model = Complaint
        fields = ["name", "body_area", "description", "red_flags"]
        labels = {
            "name": _("Name"),
            "body_area": _("Body area"),
            "description": _("In a sentence"),
            "red_flags": _("See a doctor first if…"),
        }
        help_texts = {
            "red_flags": _(
                "One sign per line, short, in a client's words. Shown when it is ticked, "
                "and printed on the handout and the client's link."
            )
        }
        widgets = {
            "red_flags": forms.Textarea(attrs={"rows": 3, "placeholder": _("numbness that is getting worse\nfever with the pain")}),
        }
        error_messages = {"name": {"required": _("Name it the way a client would say it.")}}

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercises"].queryset = Exercise.objects.available_to(clinic).order_by("name")
        if self.instance.pk:
            self.initial["exercises"] = [e.pk for e in self.instance.exercises.filter(
                pk__in=self.fields["exercises"].queryset.values("pk"))]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-8"), Column("body_area", css_class="col-md-4")),
            "description",
            "red_flags",
            "exercises",
            Submit("save", _("Save"), css_class="btn-lg"),
        )

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_red_flags(self):
        return "\n".join(line.strip() for line in self.cleaned_data["red_flags"].splitlines() if line.strip())

    def save_links(self) -> None:
        """Links the chosen exercises to the complaint, unlinks the ones no longer chosen
        (only those this clinic could choose from)."""
        complaint = self.instance
        chosen = {e.pk for e in self.cleaned_data["exercises"]}
        offered = self.fields["exercises"].queryset.values("pk")
        complaint.exercise_links.filter(exercise__in=offered).exclude(exercise__in=chosen).delete()
        have = set(complaint.exercise_links.values_list("exercise_id", flat=True))
        ExerciseComplaint.objects.bulk_create(
            ExerciseComplaint(exercise_id=pk, complaint=complaint, rank=5) for pk in sorted(chosen - have)
        )


class TextsInLanguageForm(forms.Form):
    """A clinic's own exercise or complaint in one more language: each text beside the one
    the clinic wrote. All empty forgets the language (clients reading it get the clinic's
    words); otherwise the texts a client can't do without are needed."""

    NEEDED: tuple[str, ...] = ()
    BOX = {"rows": 3}

    def __init__(self, *args, original, language: str, language_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.language_name = language_name
        for name, field in self.fields.items():
            field.widget.attrs["lang"] = language  # spelling and screen readers in that language
            text = getattr(original, name, "")
            if text:
                field.help_text = _("Yours now: %(text)s") % {"text": f"{text[:300]}{'…' if len(text) > 300 else ''}"}
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.fields, Submit("save", _("Save"), css_class="btn-lg"))

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in self.fields):
            for name in self.NEEDED:
                if not cleaned.get(name):
                    self.add_error(
                        name,
                        _("Write this in %(language)s too, or leave every box empty to give clients your own words.")
                        % {"language": self.language_name},
                    )
        return cleaned

    def texts(self) -> dict:
        return {name: value.strip() for name, value in self.cleaned_data.items() if value and value.strip()}


class ExerciseTextsForm(TextsInLanguageForm):
    NEEDED = ("name", "steps", "why")

    # The same limits as the exercise's own fields.
    name = forms.CharField(max_length=120, required=False)
    steps = forms.CharField(max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 6}),
                            label=_("Steps, one per line"))
    why = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs=TextsInLanguageForm.BOX),
                          label=_("Why it helps"))
    cautions = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs=TextsInLanguageForm.BOX))
    feel = forms.CharField(max_length=240, required=False, label=_("What you should feel"))
    mistake = forms.CharField(max_length=240, required=False, label=_("A common mistake"))
    quick = forms.CharField(max_length=300, required=False, label=_("If you only have a moment"))
    off_floor = forms.CharField(max_length=300, required=False, label=_("Without getting down to the floor"))


class ComplaintTextsForm(TextsInLanguageForm):
    NEEDED = ("name",)

    name = forms.CharField(max_length=80, required=False)
    description = forms.CharField(max_length=240, required=False, label=_("In a sentence"))
    red_flags = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs=TextsInLanguageForm.BOX),
                                label=_("See a doctor first if…"), help_text=_("One sign per line."))

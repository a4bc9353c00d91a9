from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from clients.models import Client
from exercises.models import Equipment

FIRST_NAME_NEEDED = "A first name is enough, but we need that."


class ClientForm(forms.ModelForm):
    equipment = forms.ModelMultipleChoiceField(
        queryset=Equipment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What they have at home",
        help_text="Suggestions they can do with these come first. Everyday things every home has (a wall, a doorway, a chair) always count, ticked or not.",
    )

    class Meta:
        model = Client
        fields = ["first_name", "last_name", "email", "phone", "equipment"]
        help_texts = {"email": "For sending them their homework link."}
        error_messages = {"first_name": {"required": FIRST_NAME_NEEDED}}

    def __init__(self, *args, submit_label="Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("first_name", css_class="col-sm-6"), Column("last_name", css_class="col-sm-6")),
            Row(Column("email", css_class="col-sm-6"), Column("phone", css_class="col-sm-6")),
            "equipment",
            Submit("save", submit_label, css_class="btn-lg"),
        )


class QuickClientForm(forms.ModelForm):
    """Add a client with just a name, from the top of the list."""

    class Meta:
        model = Client
        fields = ["first_name", "last_name"]
        widgets = {
            "first_name": forms.TextInput(
                attrs={"placeholder": "First name", "aria-label": "First name", "class": "form-control form-control-lg"}
            ),
            "last_name": forms.TextInput(
                attrs={"placeholder": "Last name (optional)", "aria-label": "Last name", "class": "form-control"}
            ),
        }
        error_messages = {"first_name": {"required": FIRST_NAME_NEEDED}}

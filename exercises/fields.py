"""Form fields shared by the apps' forms: a dose (a homework item, an exercise) and ticked
boxes of database rows (complaints, equipment, pictures).

The model fields keep the dose's limits; `tidy_dose_fields` makes the form say them in a
person's words before anything is saved, and puts them on the inputs so a phone offers the
number pad."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from exercises.models import Dose
from exercises.translations import library_text

# The largest id a database row can have (a 64-bit integer, on SQLite and PostgreSQL).
LARGEST_ID = 2**63 - 1


def tidy_dose_fields(form) -> None:
    for name, most in Dose.LIMITS.items():
        if name not in form.fields:
            continue
        field = form.fields[name]
        message = f"Use a whole number from 1 to {most}, or leave it empty."
        field.min_value, field.max_value = 1, most
        field.validators = [MinValueValidator(1, message), MaxValueValidator(most, message)]
        field.error_messages = {**field.error_messages, "invalid": message}
        field.widget.attrs.update({"min": 1, "max": most, "inputmode": "numeric"})


class TickedRowsField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows, which refuses an id no row can have before it
    reaches the database: SQLite can't even be asked about an integer past 64 bits (a 500
    otherwise, from a tampered form)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else ():
            try:
                number = int(str(pk).strip())
            except ValueError:
                continue  # not a number at all: Django's own check says so
            if not -LARGEST_ID <= number <= LARGEST_ID:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk})
        return super()._check_values(value)

    def label_from_instance(self, obj) -> str:
        # Rows of the library (complaints, equipment, health flags, exercises): in the
        # reader's language where the library has it; a clinic's own as it wrote them.
        return library_text(str(obj))

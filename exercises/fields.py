"""Form fields for a dose, shared by every form that sets one (a homework item, an exercise).

The model fields keep the limits; this makes the form say them in a person's words before
anything is saved, and puts them on the inputs so a phone offers the number pad."""

from django.core.validators import MaxValueValidator, MinValueValidator

from exercises.models import Dose


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

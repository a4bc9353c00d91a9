
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


# Text longer than the new limits was never written by a person (the limits are several
# times the longest text of the built-in library); it is cut to the limit, so the database's
# check can hold from now on.
LIMITS = [('aftercare', 'Visit', [('intake_note', 2000)]), ('aftercare', 'HomeworkItem', [('note', 1000)])]


def cut_to_the_limits(apps, schema_editor):
    from django.db.models.functions import Length

    for app, model_name, fields in LIMITS:
        model = apps.get_model(app, model_name)
        for field, most in fields:
            for pk, text in model.objects.annotate(n=Length(field)).filter(n__gt=most).values_list("pk", field):
                model.objects.filter(pk=pk).update(**{field: text[:most]})


class Migration(migrations.Migration):

    dependencies = [
        ('aftercare', '0006_audit_log'),
    ]

    operations = [
        migrations.AlterField(
            model_name='visit',
            name='intake_note',
            field=models.TextField(blank=True, max_length=2000, verbose_name='note'),
        ),
        migrations.RunPython(cut_to_the_limits, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='homeworkitem',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('note'), 1000), name='homework_note_length'),
        ),
        migrations.AddConstraint(
            model_name='visit',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('intake_note'), 2000), name='visit_intake_note_length'),
        ),
    ]

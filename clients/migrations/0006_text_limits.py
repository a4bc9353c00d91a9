
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


# Text longer than the new limits was never written by a person (the limits are several
# times the longest text of the built-in library); it is cut to the limit, so the database's
# check can hold from now on.
LIMITS = [('clients', 'Clinic', [('address', 300)])]


def cut_to_the_limits(apps, schema_editor):
    from django.db.models.functions import Length

    for app, model_name, fields in LIMITS:
        model = apps.get_model(app, model_name)
        for field, most in fields:
            for pk, text in model.objects.annotate(n=Length(field)).filter(n__gt=most).values_list("pk", field):
                model.objects.filter(pk=pk).update(**{field: text[:most]})


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0005_clinic_updated_at_for_client_page_cache'),
    ]

    operations = [
        migrations.AlterField(
            model_name='clinic',
            name='address',
            field=models.TextField(blank=True, max_length=300),
        ),
        migrations.RunPython(cut_to_the_limits, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='clinic',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('address'), 300), name='clinic_address_length'),
        ),
    ]

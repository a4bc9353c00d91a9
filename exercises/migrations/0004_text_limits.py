
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


# Text longer than the new limits was never written by a person (the limits are several
# times the longest text of the built-in library); it is cut to the limit, so the database's
# check can hold from now on.
LIMITS = [('exercises', 'Exercise', [('steps', 3000), ('why', 1000), ('cautions', 1000)])]


def cut_to_the_limits(apps, schema_editor):
    from django.db.models.functions import Length

    for app, model_name, fields in LIMITS:
        model = apps.get_model(app, model_name)
        for field, most in fields:
            for pk, text in model.objects.annotate(n=Length(field)).filter(n__gt=most).values_list("pk", field):
                model.objects.filter(pk=pk).update(**{field: text[:most]})


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0003_exercise_pictures_and_copies'),
    ]

    operations = [
        migrations.AlterField(
            model_name='exercise',
            name='cautions',
            field=models.TextField(blank=True, max_length=1000),
        ),
        migrations.AlterField(
            model_name='exercise',
            name='steps',
            field=models.TextField(help_text='One step per line.', max_length=3000),
        ),
        migrations.AlterField(
            model_name='exercise',
            name='why',
            field=models.TextField(max_length=1000, verbose_name='why it helps'),
        ),
        migrations.RunPython(cut_to_the_limits, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('steps'), 3000), name='exercise_steps_length'),
        ),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('why'), 1000), name='exercise_why_length'),
        ),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('cautions'), 1000), name='exercise_cautions_length'),
        ),
    ]

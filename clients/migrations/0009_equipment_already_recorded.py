from django.db import migrations
from django.utils import timezone


def mark_recorded(apps, schema_editor):
    """A client with equipment ticked was asked: their answer is recorded now. Everyday
    things (a wall, a towel, a chair...) always counted as at hand before, so they are
    ticked for them, as the form ticks them for every client until a therapist unticks."""
    Client = apps.get_model("clients", "Client")
    Equipment = apps.get_model("exercises", "Equipment")
    everyday = list(Equipment.objects.filter(everyday=True))
    now = timezone.now()
    for client in Client.objects.filter(equipment__isnull=False).distinct().iterator():
        client.equipment.add(*everyday)
        Client.objects.filter(pk=client.pk).update(equipment_recorded_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0008_client_health_flags_and_equipment_recorded_at"),
        ("exercises", "0006_library_health_flags_and_details"),
    ]

    operations = [migrations.RunPython(mark_recorded, migrations.RunPython.noop)]

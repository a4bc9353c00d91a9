"""`manage.py make_scale_data` makes a big clinic for bench/scale.py; here with tiny numbers."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from aftercare.models import HomeworkItem, Visit
from clients.models import Client, Clinic


def make(**options) -> str:
    out = StringIO()
    call_command("make_scale_data", stdout=out, **options)
    return out.getvalue()


def test_it_makes_clients_visits_of_two_items_and_an_owner(db):
    make(clinic="Tiny", clients=7, items=20)
    clinic = Clinic.objects.get(name="Tiny")
    assert Client.objects.filter(clinic=clinic).count() == 7
    visits = Visit.objects.filter(client__clinic=clinic)
    assert visits.count() == 10
    assert HomeworkItem.objects.filter(visit__client__clinic=clinic).count() == 20
    assert sorted(set(HomeworkItem.objects.filter(visit__in=visits).values_list("slot", flat=True))) == [1, 2]
    owner = clinic.therapists.get()
    assert owner.is_owner and owner.user.check_password("scale-data")


def test_a_second_run_leaves_the_clinic_as_it_is(db):
    make(clinic="Tiny", clients=3, items=4)
    out = make(clinic="Tiny", clients=50, items=100)
    assert "already there: 3 clients, 4 homework items" in out
    assert Client.objects.filter(clinic__name="Tiny").count() == 3


def test_its_clinic_pages_open_for_its_owner(client, db):
    make(clinic="Tiny", clients=30, items=60)
    clinic = Clinic.objects.get(name="Tiny")
    client.force_login(clinic.therapists.get().user)
    some = Client.objects.filter(clinic=clinic).order_by("pk")[3]
    assert client.get(reverse("clients:list"), {"page": 2}).status_code == 200
    assert client.get(reverse("clients:list"), {"q": f"{some.first_name} {some.last_name}"}).context["page"].object_list
    assert client.get(reverse("clients:detail", args=[some.pk])).status_code == 200

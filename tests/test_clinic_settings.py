"""The clinic's settings page: owners only; the logo goes through the picture pipeline;
the equipment list is what client forms offer."""


import pytest
from django.urls import reverse
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from exercises.models import Equipment
from tests.conftest import make_client
from tests.imagefiles import phone_exif, photo_bytes, upload

URL = reverse("clinic:settings")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def settings_data(**overrides) -> dict:
    data = {
        "name": "Harbour Lane Massage & Myotherapy",
        "address": "3 Harbour Lane\nPortside",
        "phone": "01234 567890",
        "email": "hello@harbourlane.example",
        "booking_url": "https://book.example.com/harbour",
        "paper_size": "Letter",
        "link_lifetime_days": "90",
    }
    data.update(overrides)
    return data


def test_the_owner_changes_every_setting(as_therapist, clinic):
    tennis, roller = Equipment.objects.filter(slug__in=["tennis-ball", "foam-roller"]).order_by("slug")
    response = as_therapist.post(URL, settings_data(equipment=[tennis.pk, roller.pk]))
    assert response.status_code == 302 and response.url == URL
    clinic.refresh_from_db()
    assert clinic.name == "Harbour Lane Massage & Myotherapy"
    assert clinic.address == "3 Harbour Lane\nPortside" and clinic.phone == "01234 567890"
    assert clinic.email == "hello@harbourlane.example" and clinic.booking_url == "https://book.example.com/harbour"
    assert clinic.paper_size == "Letter" and clinic.link_lifetime_days == 90
    assert set(clinic.equipment.all()) == {tennis, roller}


def test_a_logo_is_cleaned_scaled_and_replaced(as_therapist, clinic, media_root):
    big = photo_bytes("JPEG", (3000, 1000), exif=phone_exif(orientation=1))
    assert as_therapist.post(URL, settings_data(new_logo=upload(big, "logo.jpg"))).status_code == 302
    clinic.refresh_from_db()
    first = clinic.logo.name
    stored = Image.open(media_root / first)
    assert stored.size == (800, 267) and dict(stored.getexif()) == {}
    assert "logo" not in first.rsplit("/", 1)[-1]
    assertContains(as_therapist.get(URL), clinic.logo.url)
    as_therapist.post(URL, settings_data(new_logo=upload(photo_bytes("PNG", (400, 400), mode="RGBA"), "new.png")))
    clinic.refresh_from_db()
    assert clinic.logo.name != first and clinic.logo.name.endswith(".png")
    assert not (media_root / first).exists()
    as_therapist.post(URL, settings_data(remove_logo="on"))
    clinic.refresh_from_db()
    assert not clinic.logo


def test_a_bad_logo_is_refused_and_the_rest_is_kept_as_typed(as_therapist, clinic, media_root):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = as_therapist.post(URL, settings_data(new_logo=upload(svg, "logo.svg", "image/svg+xml")))
    assertContains(response, "SVG drawing", status_code=400)
    assertContains(response, "Save it as a PNG", status_code=400)
    assertContains(response, 'value="01234 567890"', status_code=400)
    assertContains(response, "hello@harbourlane.example", status_code=400)
    clinic.refresh_from_db()
    assert clinic.name == "Harbour Lane Massage" and not clinic.logo
    assert not list(media_root.rglob("*.*"))


@pytest.mark.parametrize("days", ["0", "-5", "1000", "many"])
def test_link_lifetime_must_be_sensible(as_therapist, clinic, days):
    response = as_therapist.post(URL, settings_data(link_lifetime_days=days))
    assertContains(response, "Choose between 1 and 730 days", count=1, status_code=400)
    clinic.refresh_from_db()
    assert clinic.link_lifetime_days == 180


@pytest.mark.parametrize("url", ["ftp://files.example.com/", "javascript:alert(1)", "mailto:x@example.com"])
def test_a_booking_link_is_a_web_address(as_therapist, clinic, url):
    response = as_therapist.post(URL, settings_data(booking_url=url))
    assertContains(response, "booking page", status_code=400)
    assertContains(response, "Harbour Lane Massage &amp; Myotherapy", status_code=400)
    clinic.refresh_from_db()
    assert clinic.booking_url == ""


def test_the_client_form_offers_the_clinics_equipment_list_or_all_of_it(as_therapist, clinic):
    everything = Equipment.objects.count()
    form = as_therapist.get(reverse("clients:create")).context["form"]
    assert form.fields["equipment"].queryset.count() == everything
    tennis, roller = Equipment.objects.filter(slug__in=["tennis-ball", "foam-roller"])
    clinic.equipment.set([tennis, roller])
    everyday = set(Equipment.objects.filter(everyday=True))
    response = as_therapist.get(reverse("clients:create"))
    # Everyday things are always offered: they count as at home until someone unticks them.
    assert set(response.context["form"].fields["equipment"].queryset) == {tennis, roller} | everyday
    assertNotContains(response, "Resistance band")
    # A client who already has something off the list keeps it.
    band = Equipment.objects.get(slug="resistance-band")
    maya = make_client(clinic, "Maya")
    maya.record_equipment([band])
    offered = as_therapist.get(reverse("clients:edit", args=[maya.pk])).context["form"].fields["equipment"].queryset
    assert set(offered) == {tennis, roller, band} | everyday


def test_a_colleague_who_is_not_an_owner_is_refused(as_colleague, clinic):
    response = as_colleague.get(URL)
    assertContains(response, "owners", status_code=403)
    assert as_colleague.post(URL, settings_data()).status_code == 403
    clinic.refresh_from_db()
    assert clinic.name == "Harbour Lane Massage"
    assertNotContains(as_colleague.get(reverse("clients:list")), f'href="{URL}"')


def test_an_outsider_only_ever_changes_their_own_clinic(as_outsider, clinic, other_clinic):
    as_outsider.post(URL, settings_data(name="Taken over"))
    clinic.refresh_from_db(), other_clinic.refresh_from_db()
    assert clinic.name == "Harbour Lane Massage" and other_clinic.name == "Taken over"


def test_logged_out_people_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.url


def test_the_owner_sees_the_clinic_link(as_therapist):
    assertContains(as_therapist.get(reverse("clients:list")), f'href="{URL}"')


def test_the_clients_page_shows_the_clinics_logo(as_therapist, clinic, media_root, client_):
    from aftercare.models import ShareLink

    as_therapist.post(URL, settings_data(new_logo=upload(photo_bytes("PNG", (300, 100)), "logo.png", "image/png")))
    clinic.refresh_from_db()
    as_therapist.logout()
    assertContains(as_therapist.get(ShareLink.issue(client_)), clinic.logo.url)

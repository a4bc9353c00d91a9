"""Media on object storage: with a bucket set, exercise pictures and logos go to an
S3-compatible store (a real SeaweedFS started for the session), the app serves them at
/media/ through the storage API, and a handout prints them read through the same API.
A bucket that is down gives the therapist a clear message and saves nothing."""

import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains

from aftercare import handouts
from aftercare.storage import PREPARED
from clients.models import Clinic
from exercises.images import STORAGE_DOWN, clean_upload
from exercises.models import Exercise, ExercisePicture
from tests.imagefiles import photo_bytes, upload
from tests.services import S3_ACCESS_KEY, S3_SECRET_KEY, free_port
from tests.test_library_pages import form_data, make_exercise


BUCKET = "aftercare-tests"


def bucket_storage(endpoint: str, location: str) -> dict:
    return {
        "BACKEND": "aftercare.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": BUCKET, "location": location, "endpoint_url": endpoint, "access_key": S3_ACCESS_KEY,
            "secret_key": S3_SECRET_KEY, "region_name": "us-east-1", "file_overwrite": False,
        },
    }


@pytest.fixture
def bucket(seaweedfs, settings, tmp_path):
    """The bucket, under a folder of this test's own, as the default storage, and an empty
    MEDIA_ROOT, so nothing can be read from the disk by mistake. (One bucket for the
    session: SeaweedFS gives each bucket volumes of its own.)"""
    location = f"test-{uuid.uuid4().hex[:12]}"
    client = seaweedfs.client()
    if BUCKET not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=BUCKET)
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": bucket_storage(seaweedfs.endpoint, location)}
    handouts._downscaled_media.cache_clear()
    handouts._IMAGE_CACHE.clear()
    return location


@pytest.fixture
def bucket_down(settings):
    """The bucket's address with nothing answering there: a store that is down."""
    settings.STORAGES = {**settings.STORAGES, "default": bucket_storage(f"http://127.0.0.1:{free_port()}", "down")}


def keys(seaweedfs, location) -> set[str]:
    """The names stored under the test's folder, as the storage names them."""
    listing = seaweedfs.client().list_objects_v2(Bucket=BUCKET, Prefix=f"{location}/")
    return {item["Key"].removeprefix(f"{location}/") for item in listing.get("Contents", [])}


def test_an_uploaded_picture_goes_to_the_bucket_and_the_app_serves_it(as_therapist, clinic, bucket, seaweedfs, tmp_path):
    data = form_data(pictures=[upload(photo_bytes(), "wall.jpg")])
    response = as_therapist.post(reverse("exercises:add"), data)

    assert response.status_code == 302
    picture = ExercisePicture.objects.get(exercise__clinic=clinic, exercise__name="Wall angel")
    assert keys(seaweedfs, bucket) == {picture.image.name, picture.thumbnail.name}
    assert list(tmp_path.iterdir()) == []  # nothing on this machine's disk
    # The page links the app's own address (CSP: img-src 'self'), never the bucket's.
    assert picture.image.url == f"/media/{picture.image.name}"
    page = as_therapist.get(reverse("exercises:detail", args=[picture.exercise_id]))
    assertContains(page, f'src="/media/{picture.image.name}"')
    assert seaweedfs.endpoint not in page.content.decode()
    served = as_therapist.get(picture.image.url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    stored = seaweedfs.client().get_object(Bucket=BUCKET, Key=f"{bucket}/{picture.image.name}")["Body"].read()
    assert b"".join(served.streaming_content) == stored


def test_media_serves_no_prepared_file_and_no_missing_one(client, bucket, seaweedfs, db):
    seaweedfs.client().put_object(Bucket=BUCKET, Key=f"{bucket}/{PREPARED}export.zip", Body=b"private")

    assert client.get(f"/media/{PREPARED}export.zip").status_code == 404
    assert client.get("/media/exercises/no-such-picture.jpg").status_code == 404
    assert client.get("/media/../settings.py").status_code == 404


def count_images(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(__import__("io").BytesIO(pdf)).pages)


def test_a_handout_prints_the_picture_read_from_the_bucket(visit, clinic, bucket, seaweedfs):
    exercise = make_exercise(clinic, "Towel neck glide")
    exercise.add_pictures([clean_upload(upload(photo_bytes(size=(1400, 900))))])
    picture = exercise.pictures.get()
    visit.assign(exercise)

    with_picture = handouts.visit_pdf(visit)
    seaweedfs.client().delete_object(Bucket=BUCKET, Key=f"{bucket}/{picture.image.name}")
    handouts._downscaled_media.cache_clear()
    handouts._IMAGE_CACHE.clear()  # WeasyPrint's own, by URL
    without = handouts.visit_pdf(visit)

    # Exactly the bucket's picture made the difference: read through the storage API, and
    # once it is gone from the bucket the handout prints without it (never fetched elsewhere).
    assert count_images(with_picture) == count_images(without) + 1


def test_a_clinic_logo_goes_to_the_bucket(as_therapist, clinic, bucket, seaweedfs):
    response = as_therapist.post(reverse("clinic:settings"), {
        "name": clinic.name, "paper_size": "A4", "link_lifetime_days": "90",
        "new_logo": upload(photo_bytes("PNG", (300, 120), mode="RGBA"), "logo.png", "image/png"),
    })

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    clinic.refresh_from_db()
    assert clinic.logo.name in keys(seaweedfs, bucket)
    assert as_therapist.get(clinic.logo.url).status_code == 200


def test_a_bucket_that_is_down_saves_no_exercise_and_says_so(as_therapist, clinic, bucket_down):
    data = form_data(pictures=[upload(photo_bytes(), "wall.jpg")])

    response = as_therapist.post(reverse("exercises:add"), data)

    assertContains(response, "Pictures can&#x27;t be saved right now", status_code=503)
    assertContains(response, "Opens the chest and wakes up", status_code=503)  # what was typed is kept
    assert not Exercise.objects.filter(clinic=clinic, name="Wall angel").exists()
    assert not ExercisePicture.objects.filter(exercise__clinic=clinic).exists()


def test_an_edit_while_the_bucket_is_down_keeps_the_exercise_and_its_pictures(
    as_therapist, clinic, bucket, seaweedfs, settings, django_capture_on_commit_callbacks
):
    exercise = make_exercise(clinic, "Towel neck glide")
    exercise.add_pictures([clean_upload(upload(photo_bytes()))])
    picture = exercise.pictures.get()
    working = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": bucket_storage(f"http://127.0.0.1:{free_port()}", bucket)}
    data = form_data(name="Renamed", remove_pictures=[picture.pk], pictures=[upload(photo_bytes(), "new.jpg")])

    with django_capture_on_commit_callbacks(execute=True):
        response = as_therapist.post(reverse("exercises:edit", args=[exercise.pk]), data)

    assertContains(response, "Pictures can&#x27;t be saved right now", status_code=503)
    exercise.refresh_from_db()
    assert exercise.name == "Towel neck glide"
    assert list(exercise.pictures.all()) == [picture]
    settings.STORAGES = {**settings.STORAGES, "default": working}
    assert {picture.image.name, picture.thumbnail.name} <= keys(seaweedfs, bucket)


def test_a_logo_while_the_bucket_is_down_changes_nothing(as_therapist, clinic, bucket_down):
    response = as_therapist.post(reverse("clinic:settings"), {
        "name": "A new name", "paper_size": "A4", "link_lifetime_days": "90",
        "new_logo": upload(photo_bytes("PNG", (300, 120), mode="RGBA"), "logo.png", "image/png"),
    })

    assertContains(response, "Pictures can&#x27;t be saved right now", status_code=503)
    assert Clinic.objects.get(pk=clinic.pk).name == "Harbour Lane Massage"


def test_the_message_says_nothing_was_changed():
    assert "Nothing was changed" in STORAGE_DOWN

"""Issue 17, item 4: a picture can't eat a worker. clean_upload (exercise pictures and the
clinic's logo) reads the size from the header and refuses more than 40 megapixels before
decoding a pixel; what it keeps is shrunk without a full-size copy in another mode (16-bit
greys, palettes, transparency); one form post brings at most 10 pictures. Memory is
measured as bench/pictures.py measures it: in a fresh process, the peak RSS rise."""

import importlib.util
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from clients.forms import ClinicForm
from exercises import forms as exercise_forms
from exercises.forms import PicturesField
from exercises.images import MAX_PICTURES, MAX_PIXELS, clean_upload
from tests.imagefiles import photo_bytes, png_streamed, upload

# bench/pictures.py is a script, not a package: loaded by path, for its measurement.
spec = importlib.util.spec_from_file_location("bench_pictures", Path(__file__).resolve().parent.parent / "bench" / "pictures.py")


def bench():
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures")
    made = {}
    for name, args in {"issue": (9400, 9400, "grey16"), "grey16": (6300, 6300, "grey16"),
                       "palette": (6300, 6300, "palette"), "rgba": (6300, 6300, "rgba")}.items():
        made[name] = folder / f"{name}.png"
        made[name].write_bytes(png_streamed(*args))
    return made


def test_a_picture_over_40_megapixels_is_refused_before_it_is_decoded(pictures):
    data = pictures["issue"].read_bytes()
    assert len(data) < 10 * 1024 * 1024  # small on disk: only the pixel count gives it away
    start = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload(data, "scan.png", "image/png"))
    assert time.perf_counter() - start < 0.5
    assert refused.value.code == "too_many_pixels"
    assert "9,400 × 9,400 pixels (88 megapixels)" in refused.value.messages[0]
    assert MAX_PIXELS == 40_000_000


def test_the_clinic_logo_is_held_to_the_same_cap(clinic, pictures):
    form = ClinicForm(data={"name": "Harbour", "paper_size": "A4", "link_lifetime_days": 180},
                      files={"new_logo": upload(pictures["issue"].read_bytes(), "logo.png", "image/png")}, instance=clinic)
    assert not form.is_valid()
    assert "megapixels" in " ".join(form.errors["new_logo"])


@pytest.mark.parametrize("kind", ["grey16", "palette", "rgba"])
def test_a_large_picture_under_the_cap_stays_within_the_memory_budget(pictures, kind):
    measured = bench().peak_in_fresh_process([str(pictures[kind])])
    assert measured["outcome"] == "kept"
    assert measured["mb"] <= bench().PEAK_BUDGET_MB, measured


def test_a_16_bit_grey_keeps_its_greys_when_shrunk(pictures):
    cleaned = clean_upload(upload(pictures["grey16"].read_bytes(), "scan.png", "image/png"))
    image = Image.open(cleaned)
    assert image.size == (1600, 1600)
    darkest, lightest = image.convert("L").getextrema()
    assert darkest < 40 and 150 < lightest  # a gradient, not all white


def test_a_palette_picture_keeps_its_transparency(pictures):
    cleaned = clean_upload(upload(pictures["palette"].read_bytes(), "logo.png", "image/png"))
    assert cleaned.name.endswith(".png")
    assert Image.open(cleaned).mode == "RGBA"


def test_more_than_ten_pictures_in_one_post_are_refused_before_any_is_opened(monkeypatch):
    opened = []
    monkeypatch.setattr(exercise_forms, "clean_upload", lambda f: opened.append(f))
    files = [upload(photo_bytes(size=(40, 30)), f"{n}.jpg") for n in range(MAX_PICTURES + 1)]
    with pytest.raises(ValidationError) as refused:
        PicturesField().clean(files)
    assert opened == []
    assert "11 pictures at once; add at most 10" in refused.value.messages[0]


def test_ten_pictures_in_one_post_are_fine():
    files = [upload(photo_bytes(size=(40, 30)), f"{n}.jpg") for n in range(MAX_PICTURES)]
    assert len(PicturesField().clean(files)) == 10

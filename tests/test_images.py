"""The picture pipeline (exercises.images.clean_upload) against good and hostile files,
all made in the test."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image

from exercises.images import MAX_BYTES, clean_upload
from tests.imagefiles import GPS, animated, phone_exif, photo_bytes, png_claiming, upload


def reopen(file) -> Image.Image:
    file.seek(0)
    image = Image.open(BytesIO(file.read()))
    image.load()
    return image


def refusal(data: bytes, name: str = "photo.jpg") -> str:
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload(data, name))
    return " ".join(caught.value.messages)


@pytest.mark.parametrize("fmt,ext", [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_it_takes_a_jpeg_png_or_webp_and_scales_it_with_a_thumbnail(fmt, ext):
    cleaned = clean_upload(upload(photo_bytes(fmt, (3200, 2400)), f"holiday.{ext}"))
    stored = reopen(cleaned)
    assert stored.size == (1600, 1200)
    assert reopen(cleaned.thumbnail).size == (400, 300)
    assert stored.format == "JPEG"  # opaque pictures are stored as JPEG
    assert "holiday" not in cleaned.name and len(cleaned.name.split(".")[0]) == 32  # a random uuid name


def test_a_small_picture_is_not_blown_up():
    assert reopen(clean_upload(upload(photo_bytes("PNG", (300, 200)), "a.png"))).size == (300, 200)


def test_a_picture_with_transparency_stays_a_png_with_transparency():
    cleaned = clean_upload(upload(photo_bytes("PNG", (500, 300), mode="RGBA"), "logo.png"))
    stored = reopen(cleaned)
    assert stored.format == "PNG" and stored.mode == "RGBA" and cleaned.name.endswith(".png")


def test_a_16_bit_grey_scan_keeps_its_greys():
    grey = Image.new("I;16", (300, 200), 32768)  # mid-grey on a 16-bit scale
    buffer = BytesIO()
    grey.save(buffer, "PNG")
    stored = reopen(clean_upload(upload(buffer.getvalue(), "scan.png")))
    assert 120 <= stored.convert("L").getpixel((10, 10)) <= 136


def test_it_turns_a_phone_photo_upright_from_its_exif():
    # Orientation 6: the camera stored it on its side; turned upright it is portrait.
    data = photo_bytes("JPEG", (1200, 800), exif=phone_exif(orientation=6))
    stored = reopen(clean_upload(upload(data)))
    assert stored.size == (800, 1200)
    # The left half (teal) of the sensor image is now at the top.
    top, bottom = stored.getpixel((stored.width // 2, 20)), stored.getpixel((stored.width // 2, stored.height - 20))
    assert top[2] > top[0] and bottom[0] > bottom[2]


def test_gps_and_every_bit_of_exif_are_gone_from_what_is_stored():
    data = photo_bytes("JPEG", (1200, 800), exif=phone_exif())
    assert Image.open(BytesIO(data)).getexif().get_ifd(GPS)  # the upload did carry a location
    cleaned = clean_upload(upload(data))
    for stored in (reopen(cleaned), reopen(cleaned.thumbnail)):
        assert dict(stored.getexif()) == {}
        assert not stored.getexif().get_ifd(GPS)
        assert not {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"} & set(stored.info)
    cleaned.seek(0)
    raw = cleaned.read()
    assert b"Exif" not in raw and b"Phone Maker" not in raw


def test_webp_and_png_metadata_is_gone_too():
    for fmt in ("WEBP", "PNG"):
        data = photo_bytes(fmt, (800, 600), exif=phone_exif(orientation=1))
        assert Image.open(BytesIO(data)).getexif().get(0x010F) == "Phone Maker"
        stored = reopen(clean_upload(upload(data, f"x.{fmt.lower()}")))
        assert dict(stored.getexif()) == {}


class NeverRead(UploadedFile):
    """An upload that fails the test if anything reads it."""

    def __init__(self, size):
        super().__init__(file=BytesIO(b""), name="huge.jpg", content_type="image/jpeg", size=size)

    def read(self, *args):
        raise AssertionError("read a file that was too big")

    def chunks(self, *args):
        raise AssertionError("read a file that was too big")


def test_a_file_over_10_mb_is_refused_before_it_is_read():
    with pytest.raises(ValidationError) as caught:
        clean_upload(NeverRead(MAX_BYTES + 1))
    assert "bigger than 10 MB" in caught.value.messages[0]
    assert "smaller size" in caught.value.messages[0]


def test_an_empty_file_is_refused():
    assert "empty" in refusal(b"")


@pytest.mark.parametrize(
    "data,name,says",
    [
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "drawing.jpg", "SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>', "drawing.svg", "Save it as a PNG"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "sheet.pdf", "PDF"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "logo.eps", "EPS"),
        (b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>", "page.jpg", "web page"),
        (b"These are my notes about the exercise, not a picture at all.\n", "notes.jpg", "can't read that as a picture"),
    ],
)
def test_files_that_are_not_pictures_are_refused_with_what_to_do_instead(data, name, says):
    message = refusal(data, name)
    assert says in message
    assert any(hint in message for hint in ("PNG", "JPEG", "screenshot"))


def test_a_truncated_photo_is_refused():
    data = photo_bytes("JPEG", (1200, 800))
    message = refusal(data[: len(data) // 2])
    assert "didn't arrive in one piece" in message


def test_a_truncated_png_is_refused():
    data = photo_bytes("PNG", (1200, 800))
    assert "didn't arrive in one piece" in refusal(data[: len(data) // 2], "a.png")


@pytest.mark.parametrize("fmt,name", [("GIF", "moving.gif"), ("WEBP", "moving.webp"), ("PNG", "moving.png")])
def test_an_animated_picture_is_refused(fmt, name):
    message = refusal(animated(fmt), name)
    assert "moves" in message and "still photo" in message


def test_a_still_gif_is_refused_with_what_to_do():
    out = BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "GIF")
    assert "JPEG, PNG or WebP" in refusal(out.getvalue(), "still.gif")


@pytest.mark.parametrize("side", [10_000, 30_000])  # above Pillow's warning line, and its error line
def test_a_decompression_bomb_is_refused_without_being_decoded(side):
    data = png_claiming(side, side)
    assert len(data) < 200
    assert "too many pixels" in refusal(data, "bomb.png")

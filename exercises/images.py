"""The picture pipeline: every uploaded picture (an exercise's, a clinic's logo) goes
through `clean_upload`, which checks it, turns it upright, drops every bit of metadata
(GPS above all) and re-encodes it at a stored size plus a thumbnail, under a random name.

Nothing a person uploaded is ever stored as it came."""

from __future__ import annotations

import uuid
import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
# Read from the header, before a pixel is decoded: a picture is decoded whole (only JPEG
# can decode at a fraction of its size), so its pixels are what a worker's memory and time
# go on. 40 megapixels is more than any phone camera's photo (12 to 24 MP, 50 MP modes
# aside) and decodes in well under a second (bench/pictures.py).
MAX_PIXELS = 40_000_000
MAX_PICTURES = 10  # in one form post; each is checked and re-encoded in the request
STORED_LONG_SIDE = 1600
THUMB_LONG_SIDE = 400
JPEG_QUALITY = 85
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")

ImageFile.LOAD_TRUNCATED_IMAGES = False  # a cut-off upload is refused, never half-shown

STILL_PHOTO = "Save it as a JPEG, PNG or WebP photo (a photo or screenshot from your phone works) and try again."
MESSAGES = {
    "empty": "That file is empty. Choose the photo again; if it came from a message or email, save it to your device first.",
    "too_big": "That picture is bigger than 10 MB. Take a screenshot of it, or share it at a smaller size, and try again.",
    "svg": "That's an SVG drawing, which we can't check is safe to show. Save it as a PNG and try again.",
    "pdf": "That's a PDF, not a picture. Take a screenshot of the page you want, or export it as a JPEG or PNG.",
    "eps": "That's a PostScript (EPS) file, not a picture. Export it as a PNG or JPEG and try again.",
    "html": "That's a web page, not a picture. Save the picture itself (or take a screenshot) and try again.",
    "animated": "That picture moves. Handouts are printed, so choose a still photo: a JPEG, PNG or WebP.",
    "unknown": "We can't read that as a picture. " + STILL_PHOTO,
    "truncated": "That picture didn't arrive in one piece. Choose it again; if it still fails, save it on your device first.",
    "bomb": "That picture has far too many pixels for us to open safely. Share it at a normal size (a phone photo is fine) and try again.",
    "too_many_pixels": "That picture is %(width)s × %(height)s pixels (%(megapixels)s megapixels), more than the 40 we take. Share it at a smaller size (any phone photo is fine) and try again.",
    "too_many_pictures": "That's %(count)s pictures at once; add at most 10 at a time (save, then add the rest).",
}


class CleanImage(ContentFile):
    """A re-encoded picture ready for a FileField, with its thumbnail beside it."""

    thumbnail: ContentFile
    width: int
    height: int


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def refuse_too_many(count: int) -> None:
    """ValidationError when one form post brings more than MAX_PICTURES pictures, before
    any of them is opened."""
    if count > MAX_PICTURES:
        raise _refuse("too_many_pictures", count=count)


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = side / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _reduce_in_strips(image: Image.Image, factor: int) -> Image.Image:
    """image.reduce(factor), a band of rows at a time: Pillow premultiplies RGBA and LA
    before averaging (right: no dark fringes round a logo), which for the whole picture is
    a second full-size copy; for a band it is a band."""
    width, height = image.size
    reduced = Image.new(image.mode, ((width + factor - 1) // factor, (height + factor - 1) // factor))
    band = factor * 128
    for top in range(0, height, band):
        reduced.paste(image.crop((0, top, width, min(height, top + band))).reduce(factor), (0, top // factor))
    reduced.info = image.info.copy()  # the EXIF orientation, a palette's transparency
    return reduced


def _shrink(image: Image.Image, long_side: int) -> Image.Image:
    """The decoded picture brought to `long_side` and 8 bits, without a full-size copy in
    another mode (a 16-bit grey turned into 32-bit integers was twice the picture again,
    and again for the scaling; Pillow's resize premultiplies RGBA at full size). Most
    modes are first averaged down in whole blocks (reduce: the result is small); palettes
    and 16-bit greys can't be, so a palette is sampled down to twice the size by nearest
    colour (the final filter then smooths it) and a 16-bit grey resampled straight down,
    both before any conversion. The full-size picture is closed (its pixels freed) as
    soon as a smaller one exists, so the rest never runs beside it."""
    longest, full_size = max(image.size), image
    if image.mode in ("P", "PA", "1"):
        if longest > 2 * long_side:
            image = image.resize(_fit(image.size, 2 * long_side), Image.Resampling.NEAREST)
    elif image.mode.startswith("I;16"):
        if longest > long_side:
            image = image.resize(_fit(image.size, long_side), Image.Resampling.BICUBIC)
    elif longest >= 2 * long_side:
        image = _reduce_in_strips(image, longest // long_side)
    if image is not full_size:
        full_size.close()
    if image.mode in ("P", "PA", "1"):
        image = image.convert("RGBA" if image.mode == "PA" or "transparency" in image.info else "RGB")
    elif image.mode.startswith("I"):
        # 16-bit greys (some scanners): to 8 bits, or they'd turn white.
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    image.thumbnail((long_side, long_side))
    return image


def _sniff(head: bytes) -> str | None:
    """Names the kinds of file people pick by mistake, to say what to do instead."""
    start = head.lstrip()[:512].lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"%!PS") or head.startswith(b"\xc5\xd0\xd3\xc6"):
        return "eps"
    if head.startswith(b"GIF8"):
        return "animated" if head.count(b"\x21\xf9\x04") > 1 else "unknown"
    if b"<svg" in start or (start.startswith(b"<?xml") and b"<svg" in head.lower()):
        return "svg"
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "html"
    return None


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
    else:
        image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def clean_upload(
    uploaded_file, *, long_side: int = STORED_LONG_SIDE, thumb_side: int = THUMB_LONG_SIDE
) -> CleanImage:
    """Check and re-encode an uploaded picture; ValidationError (with a message a person
    can act on) for anything that isn't a still JPEG, PNG or WebP we can safely open."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse("too_big")  # before a single byte is read
    if size == 0:
        raise _refuse("empty")
    uploaded_file.seek(0)
    data = uploaded_file.read(MAX_BYTES + 1)
    if not data:
        raise _refuse("empty")
    if len(data) > MAX_BYTES:
        raise _refuse("too_big")
    mistaken = _sniff(data[:4096])
    if mistaken:
        raise _refuse(mistaken)

    # Importing WeasyPrint (the handouts) turns this back on for the whole process.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=ALLOWED_FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _refuse(
                    "too_many_pixels", width=f"{width:,}", height=f"{height:,}", megapixels=round(width * height / 1e6)
                )
            if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
                raise _refuse("animated")
            if image.format == "JPEG":
                # Decode at a fraction of the size when the photo is far bigger than we keep.
                image.draft("RGB" if image.mode == "RGB" else None, (long_side, long_side))
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("bomb") from None
    except UnidentifiedImageError:
        raise _refuse("unknown") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise _refuse("truncated" if "truncated" in str(e) or isinstance(e, (OSError, EOFError)) else "unknown") from None

    try:
        image = _shrink(image, long_side)
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        mode = "RGBA" if has_alpha else "RGB"
        if image.mode != mode:
            image = image.convert(mode)
        # A fresh image holds pixels and nothing else: no EXIF, GPS, XMP, ICC or comments.
        clean = Image.new(mode, image.size)
        clean.paste(image)
    except Exception:  # odd colour modes, broken EXIF: a clear refusal, never a 500
        raise _refuse("unknown") from None

    fmt, ext = ("PNG", "png") if has_alpha else ("JPEG", "jpg")
    thumb = clean.copy()
    thumb.thumbnail((thumb_side, thumb_side))
    name = uuid.uuid4().hex
    result = CleanImage(_encode(clean, fmt), name=f"{name}.{ext}")
    result.thumbnail = ContentFile(_encode(thumb, fmt), name=f"{name}-thumb.{ext}")
    result.width, result.height = clean.size
    return result

"""The picture pipeline: every uploaded picture (an exercise's, a clinic's logo) goes
through `clean_upload`, which checks it, turns it upright, drops every bit of metadata
(GPS above all) and re-encodes it at a stored size plus a thumbnail, under a random name.

Nothing a person uploaded is ever stored as it came."""

from __future__ import annotations

import uuid
import warnings
from io import BytesIO

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# What saving a picture raises when its store is down: the disk's OSError, or boto3's
# connection and HTTP errors when pictures live in a bucket (aftercare/storage.py).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
STORAGE_DOWN = (
    "Pictures can't be saved right now (the picture storage isn't answering). Nothing was "
    "changed: please try again in a minute."
)

MAX_BYTES = 10 * 1024 * 1024
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
}


class CleanImage(ContentFile):
    """A re-encoded picture ready for a FileField, with its thumbnail beside it."""

    thumbnail: ContentFile
    width: int
    height: int


def _refuse(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


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
        if image.mode.startswith("I"):
            # 16-bit greys (some scanners): bring them to 8 bits, or they'd turn white.
            image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
        image.thumbnail((long_side, long_side))
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

"""How fast is clean_upload? Compares it with a bare Pillow draft + thumbnail + save of the
same phone-sized photo; the budget is 2x.

    .venv/bin/python bench/pictures.py [--runs 15] [--size 4032x3024]
"""

import argparse
import os
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from exercises.images import JPEG_QUALITY, STORED_LONG_SIDE, clean_upload  # noqa: E402

BUDGET = 2.0


def phone_photo(width: int, height: int) -> bytes:
    """A photo-like JPEG with EXIF (orientation and GPS), as a phone would send it."""
    image = Image.effect_noise((width // 4, height // 4), 60).convert("RGB").resize((width, height))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 97):
        draw.line([(i, 0), (width - i, height)], fill=(200, 120, 90), width=9)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5)}
    out = BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def bare_pillow(data: bytes) -> bytes:
    image = Image.open(BytesIO(data))
    image.draft("RGB", (STORED_LONG_SIDE, STORED_LONG_SIDE))
    image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE))
    out = BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def pipeline(data: bytes) -> bytes:
    return clean_upload(SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")).read()


def median_ms(fn, data: bytes, runs: int) -> float:
    fn(data)  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(data)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--size", default="4032x3024", help="the photo's size, WIDTHxHEIGHT (default: a 12 MP phone)")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    data = phone_photo(width, height)
    bare = median_ms(bare_pillow, data, args.runs)
    ours = median_ms(pipeline, data, args.runs)
    ratio = ours / bare
    print(f"photo: {width}x{height} JPEG, {len(data) / 1e6:.1f} MB, {args.runs} runs")
    print(f"bare Pillow draft+thumbnail+save: median {bare:.1f} ms")
    print(f"clean_upload (checks, upright, no metadata, stored size + thumbnail): median {ours:.1f} ms")
    print(f"ratio: {ratio:.2f}x (budget {BUDGET:.1f}x) {'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())

"""How fast is clean_upload? Compares it with a bare Pillow draft + thumbnail + save of the
same photo, as the issue words the baseline (open, draft, thumbnail to the stored size,
save as JPEG at the same quality); the budget is 1.5x (issue 7). clean_upload does more on
top: it sniffs the file, checks for bombs and animation, turns the picture upright, copies
the pixels into a fresh image (no metadata) and saves a 400 px thumbnail as well.

    .venv/bin/python bench/pictures.py [--runs 15] [--size 4032x3024 2000x1500] [--skip-memory]

The two are interleaved, so a busy machine slows both alike.

Then how much memory and time one upload may take (issue 17): each hostile or huge
picture is put through clean_upload in a fresh process, which reports how far its peak
RSS rose above where it stood with the file already read (Linux's VmHWM, reset first) and
how long it took. The budget: at most PEAK_BUDGET_MB per upload, whatever the picture
(the worst allowed is a 40 MP picture decoded whole, 4 bytes a pixel); and ten of the
largest in one form post.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from django.core.exceptions import ValidationError  # noqa: E402

from exercises.forms import PicturesField  # noqa: E402
from exercises.images import JPEG_QUALITY, MAX_PICTURES, STORED_LONG_SIDE, clean_upload  # noqa: E402
from figures import report  # noqa: E402
from tests.imagefiles import png_streamed  # noqa: E402

BUDGET = 1.5
PEAK_BUDGET_MB = 200  # a 40 MP picture decoded whole is 160 MB; nothing else full-size
# 6300 x 6300 is 39.7 megapixels: just under the cap (exercises.images.MAX_PIXELS).
BIG = [
    ("the issue's 16-bit grey PNG, 9400x9400 (88 MP: refused)", lambda: png_streamed(9400, 9400, "grey16")),
    ("16-bit grey PNG, 6300x6300", lambda: png_streamed(6300, 6300, "grey16")),
    ("16-bit RGB PNG, 6300x6300", lambda: png_streamed(6300, 6300, "rgb16")),
    ("palette PNG with transparency, 6300x6300", lambda: png_streamed(6300, 6300, "palette")),
    ("RGBA PNG, 6300x6300", lambda: png_streamed(6300, 6300, "rgba")),
    ("RGB PNG, 6300x6300", lambda: png_streamed(6300, 6300, "rgb")),
    ("12 MP phone photo (JPEG)", lambda: phone_photo(4032, 3024)),
]


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


def interleaved(data: bytes, runs: int) -> tuple[list[float], list[float]]:
    bare_pillow(data), pipeline(data)  # warm up
    bare, ours = [], []
    for _ in range(runs):
        for fn, times in ((bare_pillow, bare), (pipeline, ours)):
            start = time.perf_counter()
            fn(data)
            times.append((time.perf_counter() - start) * 1000)
    return bare, ours


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def peak_of(paths: list[str]) -> dict:
    """In this (fresh) process: put the files through the form's picture field in one go,
    as one form post would; how far the peak RSS rose, in MB, and how long it took.

    Linux's own high-water mark of this process (VmHWM), reset to the current RSS just
    before (clear_refs 5). Not getrusage's ru_maxrss: that one survives exec, so a child
    of a bigger process (pytest, this bench) starts with its parent's peak and hides the
    rise."""
    uploads = [SimpleUploadedFile(Path(path).name, Path(path).read_bytes()) for path in paths]
    clean_upload(SimpleUploadedFile("warm.jpg", phone_photo(64, 48)))  # codecs loaded before measuring
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kb("VmRSS")
    start = time.perf_counter()
    try:
        PicturesField().clean(uploads)
        outcome = "kept"
    except ValidationError as e:
        outcome = "refused: " + " ".join(e.messages)[:90]
    took = (time.perf_counter() - start) * 1000
    peak = (_status_kb("VmHWM") - before) / 1024
    return {"mb": round(peak, 1), "ms": round(took, 1), "outcome": outcome}


def peak_in_fresh_process(paths: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, "--peak-of", *paths], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory(runs: int) -> None:
    print(f"memory and time of one upload, each in a fresh process (budget: peak RSS +{PEAK_BUDGET_MB} MB)")
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, make in BIG:
            path = Path(folder) / f"{len(paths)}.{'jpg' if 'JPEG' in name else 'png'}"
            path.write_bytes(make())
            paths[name] = str(path)
        for name, path in paths.items():
            figures = [peak_in_fresh_process([path]) for _ in range(runs)]
            size = Path(path).stat().st_size / 1024
            print(f"  {name} ({size:,.0f} KB): peak +{max(f['mb'] for f in figures):.0f} MB, "
                  f"median {statistics.median(f['ms'] for f in figures):.0f} ms, {figures[0]['outcome']}")
            report(f"peak RSS of one upload: {name}", [f["mb"] for f in figures], unit="MB", limit=PEAK_BUDGET_MB)
            report(f"time of one upload: {name}", [f["ms"] for f in figures])
        largest = paths["RGB PNG, 6300x6300"]
        ten = peak_in_fresh_process([largest] * MAX_PICTURES)
        print(f"  ten 40 MP RGB PNGs in one form post: peak +{ten['mb']:.0f} MB, {ten['ms']:.0f} ms, {ten['outcome']}")
        report("peak RSS of ten 40 MP pictures in one form post", [ten["mb"]], unit="MB", limit=PEAK_BUDGET_MB)
        report("time of ten 40 MP pictures in one form post", [ten["ms"]])
        eleven = peak_in_fresh_process([largest] * (MAX_PICTURES + 1))
        print(f"  eleven in one form post: {eleven['ms']:.0f} ms, {eleven['outcome']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--size", nargs="*", default=["4032x3024", "2000x1500"],
                        help="the photos' sizes, WIDTHxHEIGHT (default: a 12 MP phone photo and a 3 MP one)")
    parser.add_argument("--memory-runs", type=int, default=3, help="fresh processes per picture for the memory figures")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--peak-of", nargs="+", help=argparse.SUPPRESS)  # the child process of the memory figures
    args = parser.parse_args()
    if args.peak_of:
        print(json.dumps(peak_of(args.peak_of)))
        return 0
    worst = 0.0
    for size in args.size:
        width, height = (int(n) for n in size.split("x"))
        data = phone_photo(width, height)
        bare, ours = interleaved(data, args.runs)
        ratio = statistics.median(ours) / statistics.median(bare)
        worst = max(worst, ratio)
        print(f"photo: {width}x{height} JPEG, {len(data) / 1e6:.1f} MB, {args.runs} runs")
        print(f"  bare Pillow draft+thumbnail+save: median {statistics.median(bare):.1f} ms")
        print(f"  clean_upload (checks, upright, no metadata, stored size + thumbnail): median {statistics.median(ours):.1f} ms")
        print(f"  ratio: {ratio:.2f}x (budget {BUDGET:.1f}x) {'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
        report(f"clean_upload, {width}x{height} photo", ours, baseline="bare Pillow draft+thumbnail+save",
               baseline_samples=bare, budget=BUDGET)
    if not args.skip_memory:
        memory(args.memory_runs)
    return 0  # the harness judges the budget; a non-zero exit means the bench broke


if __name__ == "__main__":
    sys.exit(main())

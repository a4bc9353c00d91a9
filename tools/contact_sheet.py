"""Puts every built-in exercise picture on one contact sheet (docs/illustrations.png), each
with its slug, so a person can look at all of them at once.

Needs `rsvg-convert` (Debian's librsvg2-bin) and Pillow. Run from the repository root,
after tools/draw_illustrations.py:

    python tools/contact_sheet.py
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SVGS = ROOT / "static" / "exercises" / "illustrations"
OUT = ROOT / "docs" / "illustrations.png"
COLUMNS, THUMB_W, THUMB_H, LABEL_H, KEY_H = 8, 240, 180, 30, 34


def library():
    spec = importlib.util.spec_from_file_location("aftercare_library", ROOT / "exercises" / "library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(out: Path = OUT) -> None:
    exercises = library().EXERCISES
    rows = (len(exercises) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * THUMB_W, KEY_H + rows * (THUMB_H + LABEL_H)), "white")
    draw = ImageDraw.Draw(sheet)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 11)
        key_font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 14)
    except OSError:
        font = key_font = ImageFont.load_default()
    # The key: what the colours in every picture mean.
    draw.line([(12, 17), (52, 17)], fill="#7a3fc8", width=8)
    draw.text((62, 8), "the limbs that work, on the side the steps name (under each: the exercise's side)",
              fill="#1f3a4d", font=key_font)
    draw.ellipse([(760, 7), (800, 27)], fill="#f9cfa6")
    draw.text((810, 8), "where to feel it", fill="#1f3a4d", font=key_font)
    with tempfile.TemporaryDirectory() as tmp:
        for n, exercise in enumerate(exercises):
            png = Path(tmp) / f"{n}.png"
            subprocess.run(
                ["rsvg-convert", "-w", str(THUMB_W), "-h", str(THUMB_H), "-o", str(png), str(SVGS / exercise["illustration"])],
                check=True,
            )
            x, y = (n % COLUMNS) * THUMB_W, KEY_H + (n // COLUMNS) * (THUMB_H + LABEL_H)
            sheet.paste(Image.open(png).convert("RGB"), (x, y))
            draw.rectangle([x, y, x + THUMB_W - 1, y + THUMB_H + LABEL_H - 1], outline="#c8d2d8")
            draw.text((x + 4, y + THUMB_H + 2), f"{n + 1}. {exercise['slug']}"[:38], fill="#1f3a4d", font=font)
            draw.text((x + 4, y + THUMB_H + 15), exercise.get("side") or "", fill="#8a5a20", font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    print(f"Wrote {out}: {len(exercises)} pictures")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)

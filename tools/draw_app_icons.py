"""Draws the icons of the client's page as an installed app (static/img/app-icon-*.png):
a leaf-green tile with a white tick in a circle, drawn here so nothing comes from outside.

    .venv/bin/python tools/draw_app_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "img"
GREEN = (47, 111, 115)
WHITE = (255, 255, 255)


def icon(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # drawn large, shrunk smooth
    big = size * scale
    image = Image.new("RGB", (big, big), GREEN)
    draw = ImageDraw.Draw(image)
    # A maskable icon keeps its drawing inside the middle 80% (the safe zone).
    inset = big * (0.22 if maskable else 0.14)
    draw.ellipse([inset, inset, big - inset, big - inset], outline=WHITE, width=int(big * 0.06))
    tick = [(big * 0.34, big * 0.52), (big * 0.45, big * 0.63), (big * 0.67, big * 0.39)]
    draw.line(tick, fill=WHITE, width=int(big * 0.08), joint="curve")
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    icon(192, maskable=False).save(OUT / "app-icon-192.png", optimize=True)
    icon(512, maskable=False).save(OUT / "app-icon-512.png", optimize=True)
    icon(512, maskable=True).save(OUT / "app-icon-maskable-512.png", optimize=True)

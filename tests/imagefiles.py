"""Pictures made in memory with Pillow for the tests: good ones and hostile ones."""

import struct
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS = 0x8825
ORIENTATION = 0x0112


def photo_bytes(fmt: str = "JPEG", size=(1200, 800), *, exif: Image.Exif | None = None, mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, "#c86b4a")
    # A left half of another colour, to see which way up it was stored.
    image.paste("#2f6f73" if mode == "RGB" else (47, 111, 115, 255), (0, 0, size[0] // 2, size[1]))
    out = BytesIO()
    kwargs = {"exif": exif.tobytes()} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def phone_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Phone Maker"
    exif[0x0110] = "Phone 12"
    exif[GPS] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    return exif


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue", "green")]
    out = BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


# PNG colour types and bytes per pixel for png_streamed(): grey and RGB at 16 bits, a
# palette with a transparent colour, RGB and RGBA at 8 bits.
STREAMED = {"grey16": (0, 16, 2), "rgb16": (2, 16, 6), "palette": (3, 8, 1), "rgb": (2, 8, 3), "rgba": (6, 8, 4)}


def png_streamed(width: int, height: int, kind: str = "grey16") -> bytes:
    """A real PNG of any size written row by row, never held whole as pixels: a 9400x9400
    16-bit picture is a few hundred KB on disk and 176 MB once decoded. A gradient across,
    bands down (so shrinking it has something to average)."""
    colour_type, depth, per_pixel = STREAMED[kind]

    def chunk(name: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + name + body + struct.pack(">I", zlib.crc32(name + body) & 0xFFFFFFFF)

    def row(band: int) -> bytes:
        if kind == "palette":
            return bytes((x * 255 // width + band) % 256 for x in range(width))
        values = [(x * 255 // width + band) % 256 for x in range(width)]
        if depth == 16:
            return b"".join(bytes([v, v]) * (per_pixel // 2) for v in values)
        if kind == "rgba":
            return b"".join(bytes([v, 255 - v, 90, 255 if v > 20 else 0]) for v in values)
        return b"".join(bytes([v, 255 - v, 90]) for v in values)

    rows = [b"\x00" + row(band * 40) for band in range(4)]
    squeeze = zlib.compressobj(1)
    data = bytearray()
    for y in range(height):
        data += squeeze.compress(rows[(y * 4) // height])
    data += squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    extra = b""
    if kind == "palette":
        extra = chunk(b"PLTE", b"".join(bytes([i, 255 - i, 90]) for i in range(256))) + chunk(b"tRNS", b"\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra + chunk(b"IDAT", bytes(data)) + chunk(b"IEND", b"")

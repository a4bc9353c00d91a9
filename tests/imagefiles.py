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

"""Where uploaded pictures, logos and prepared files live: MEDIA_ROOT on one machine, an
S3-compatible bucket (django-storages) when AWS_STORAGE_BUCKET_NAME is set.

Either way the app itself answers /media/<name> through the storage API, so pages never
load a picture from another host (the CSP allows img-src 'self' only) and a picture
uploaded through one web process is served by every other. Prepared files (exports,
handouts made ahead) live under PREPARED and are never served here: their own views check
who asks."""

from __future__ import annotations

import logging
import mimetypes
from typing import IO

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.encoding import filepath_to_uri
from django.views.decorators.http import require_safe
from storages.backends.s3 import S3Storage
from storages.utils import clean_name, safe_join

from exercises.images import STORAGE_ERRORS

logger = logging.getLogger("aftercare.storage")

PREPARED = "prepared/"
ERRORS = STORAGE_ERRORS


class MediaStorage(S3Storage):
    """The bucket, with URLs the app answers (/media/…) instead of the bucket's own."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(name)


def is_missing(error: Exception) -> bool:
    if isinstance(error, FileNotFoundError):
        return True
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")
    return False


def open_streamed(name: str) -> tuple[IO[bytes], int]:
    """A stored file opened to stream to a browser, and its size. From the bucket with one
    GET: the storage's own open() asks twice (HEAD, then a download into a temporary file
    through boto3's transfer threads), several times slower for a handout (14 to 50 ms
    against 8 to 10 ms on the shared test machine, SeaweedFS)."""
    if isinstance(default_storage, S3Storage):
        key = safe_join(default_storage.location, clean_name(name))
        answer = default_storage.bucket.Object(key).get()
        return answer["Body"], answer["ContentLength"]
    file = default_storage.open(name, "rb")
    return file, file.size


def read(name: str) -> bytes:
    """A media file's bytes, through the storage API (FileNotFoundError if there is none)."""
    try:
        with default_storage.open(name, "rb") as file:
            return file.read()
    except ClientError as e:
        if is_missing(e):
            raise FileNotFoundError(name) from e
        raise


@require_safe
def serve(request, path: str):
    """An uploaded picture or logo. Names are random, so a name never shows another file."""
    if not path or path.startswith(PREPARED) or path.endswith("/"):
        raise Http404
    try:
        file = default_storage.open(path, "rb")
        file.size  # noqa: B018  (asks the storage now, so a missing file is a 404 here)
    except SuspiciousOperation:  # a name leaving its folder
        raise Http404 from None
    except ERRORS as e:
        if is_missing(e):
            raise Http404 from None
        logger.warning("Media %s unavailable: %s", path, e)
        return HttpResponse("storage unavailable", content_type="text/plain", status=503)
    response = FileResponse(file, content_type=mimetypes.guess_type(path)[0] or "application/octet-stream")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response

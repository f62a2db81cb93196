"""Checks for the files a test drive takes in: the photo of a driving licence (an upload) and
the customer's signature (a PNG data URL from the tablet's signature pad). Pillow decides what
a file is, never its name or the browser's content type; anything else is a clear error."""

import base64
import binascii
import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from testdrive.storage import IMAGE_EXTENSIONS

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024 * 1024
MAX_PIXELS = 50_000_000  # a 12-megapixel phone photo is far below; a decompression bomb is not
SIGNATURE_PREFIX = "data:image/png;base64,"

# What Pillow may raise on a broken or hostile file.
_BROKEN = (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, KeyError,
           Image.DecompressionBombError, Image.DecompressionBombWarning)


def _open(data: bytes) -> Image.Image:
    """The decoded image, fully loaded; a ValidationError for anything that is not one."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(_("This image is too large (%(width)s × %(height)s pixels).")
                                          % {"width": width, "height": height}, code="too_many_pixels")
                probe.verify()
            image = Image.open(BytesIO(data))
            image.load()
        except _BROKEN:
            raise ValidationError(
                _("This file is not an image: upload a photo (JPEG, PNG or WebP)."), code="not_an_image"
            ) from None
    return image


def checked_photo(upload) -> tuple[bytes, str]:
    """The bytes of an uploaded photo and the extension of its real type (.jpg, .png, .webp)."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is %(size)s MB; upload one of at most %(max)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "max": MAX_PHOTO_BYTES // 1024 // 1024},
            code="too_big",
        )
    upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is larger than %(max)s MB.") % {"max": MAX_PHOTO_BYTES // 1024 // 1024}, code="too_big"
        )
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    image = _open(data)
    ext = IMAGE_EXTENSIONS.get(image.format or "")
    if ext is None:
        raise ValidationError(
            _("Upload a JPEG, PNG or WebP photo, not %(format)s.") % {"format": image.format or "?"},
            code="image_type",
        )
    return data, ext


def checked_signature(data_url: str) -> bytes:
    """A signature from the pad as PNG bytes (re-encoded by Pillow, so nothing but the image
    is kept); refused when it is not a PNG, too large, or blank."""
    value = (data_url or "").strip()
    if not value:
        raise ValidationError(_("The customer has not signed yet: sign in the box."), code="unsigned")
    if not value.startswith(SIGNATURE_PREFIX):
        raise ValidationError(_("The signature must be a PNG image from the signature pad."), code="not_png")
    encoded = value[len(SIGNATURE_PREFIX):]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValidationError(_("The signature image is too large."), code="too_big")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature could not be read: sign again."), code="bad_base64") from None
    try:
        image = _open(data)
    except ValidationError:
        raise ValidationError(_("The signature could not be read: sign again."), code="not_an_image") from None
    if image.format != "PNG":
        raise ValidationError(_("The signature must be a PNG image from the signature pad."), code="not_png")
    width, height = image.size
    if not (100 <= width <= 4000 and 40 <= height <= 2000):
        raise ValidationError(_("The signature image has an unexpected size: sign again."), code="size")
    # Ink: anything not white once drawn on white paper.
    paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
    paper.alpha_composite(image.convert("RGBA"))
    ink = paper.convert("L").point(lambda v: 255 if v < 200 else 0)
    if ink.getbbox() is None:
        raise ValidationError(_("The signature is blank: the customer signs in the box."), code="blank")
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()

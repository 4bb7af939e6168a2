"""Uploaded images lose their EXIF location before they are stored.

A photo taken with a phone usually carries the GPS position where it was taken
(often the owner's home). Every new upload of a Wagtail image (the image
library, the chooser's upload tab, multiple upload, or code) passes through the
`pre_save` receiver below: when the file carries GPS data, it is written again
without it (JPEG with the original quantisation, `quality="keep"`, so the picture
is not visibly recompressed), and the image's file size and hash are updated.
Other EXIF tags (orientation, camera) are kept.

The other upload checks are Wagtail's own, configured in settings: only image
files (WAGTAILIMAGES_EXTENSIONS, and Pillow must open them) and at most
WAGTAILIMAGES_MAX_UPLOAD_SIZE (5 MB), both refused with Wagtail's Japanese message.
"""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile
from django.db.models.signals import pre_save
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

logger = logging.getLogger(__name__)

GPS_IFD = 0x8825  # ExifTags.IFD.GPSInfo
SAVE_FORMATS = {"JPEG", "PNG", "WEBP", "TIFF"}


def strip_gps(data: bytes) -> bytes | None:
    """The image without its EXIF GPS block, or None when there is nothing to strip
    (no GPS data, not an image, or a format Pillow cannot write back)."""
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            exif = picture.getexif()
            if GPS_IFD not in exif:
                return None
            image_format = picture.format
            if image_format not in SAVE_FORMATS:
                return None
            del exif[GPS_IFD]
            output = io.BytesIO()
            options = {"exif": exif.tobytes()}
            if image_format == "JPEG":
                options.update(quality="keep", subsampling="keep")
                icc = picture.info.get("icc_profile")
                if icc:
                    options["icc_profile"] = icc
            elif image_format == "WEBP":
                options.update(lossless=picture.info.get("lossless", False), quality=90)
            picture.save(output, format=image_format, **options)
            return output.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def has_gps(data: bytes) -> bool:
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            return GPS_IFD in picture.getexif()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False


def strip_location_on_upload(sender, instance, **kwargs):
    file = instance.file
    if not file or getattr(file, "_committed", True):
        return  # not a new upload
    try:
        file.seek(0)
        data = file.read()
        file.seek(0)
    except (OSError, ValueError):
        return
    cleaned = strip_gps(data)
    if cleaned is None:
        return
    name = file.name.rsplit("/", 1)[-1]
    instance.file = ContentFile(cleaned, name=name)
    instance._set_image_file_metadata()  # the new file's size and hash
    logger.info("image upload: EXIF location removed from %s", name)


def connect():
    from wagtail.images import get_image_model

    pre_save.connect(strip_location_on_upload, sender=get_image_model(),
                     dispatch_uid="shops_strip_image_location")

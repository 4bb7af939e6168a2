"""The API reads JSON only, and at most settings.API_MAX_BODY_BYTES of it.

ApiMiddleware already refuses a body whose Content-Length is too large; this
parser also stops a body sent without one (chunked) after the limit, so no
request can make the server read or hold more than 1 MB.
"""

import codecs
import json

from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from api.problems import RequestTooLarge

READ_CHUNK = 64 * 1024


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = int(getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024))
        if stream is None:
            raise ParseError(gettext("The request body is empty."))
        chunks, size = [], 0
        while True:
            chunk = stream.read(READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise RequestTooLarge()
            chunks.append(chunk)
        raw = b"".join(chunks)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, LookupError) as error:
            raise ParseError(gettext("The request body is not valid JSON (%(error)s).")
                             % {"error": error}) from error


def _refuse_constant(name):
    """NaN and Infinity are not JSON (RFC 8259); Python's parser accepts them."""
    raise ValueError(f"{name} is not allowed")

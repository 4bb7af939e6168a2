"""Serializer fields the API needs beyond DRF's."""

import math

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class FiniteFloatField(serializers.FloatField):
    """A float that is a real number: NaN and ±Infinity are refused."""

    default_error_messages = {"not_finite": _("Enter a finite number.")}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return value


class CodeField(serializers.RegexField):
    """A master code (slug) or municipality code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(r"^[-a-zA-Z0-9_]+$", **kwargs)

"""Validators shared by the directory's models and forms, with Japanese messages."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

postcode_validator = RegexValidator(
    r"^\d{3}-\d{4}$", _("Enter the postcode as NNN-NNNN (e.g. 540-8570).")
)
phone_validator = RegexValidator(
    r"^0\d{1,4}-\d{1,4}-\d{3,4}$|^0\d{9,10}$",
    _("Enter a Japanese phone number such as 06-6941-0351."),
)
latitude_validators = [
    MinValueValidator(-90, _("Latitude must be between -90 and 90.")),
    MaxValueValidator(90, _("Latitude must be between -90 and 90.")),
]
longitude_validators = [
    MinValueValidator(-180, _("Longitude must be between -180 and 180.")),
    MaxValueValidator(180, _("Longitude must be between -180 and 180.")),
]

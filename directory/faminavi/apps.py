from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaminaviConfig(AppConfig):
    name = "directory.faminavi"
    label = "faminavi"
    verbose_name = _("Faminavi")

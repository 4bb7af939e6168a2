from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffAuthConfig(AppConfig):
    name = "staffauth"
    verbose_name = _("Staff sign-in security")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from staffauth import signals  # noqa: F401 - connects the login handler

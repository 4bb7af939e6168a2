from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_schedules(sender, using="default", **kwargs):
    from operations.services import schedules_ensure

    schedules_ensure(using=using)


def _ensure_cache_table(sender, using="default", **kwargs):
    """Django's database cache (CACHE_URL=dbcache://…, one of the shared caches production
    accepts) needs its table: made by every migrate, so deployments need no extra step."""
    from django.conf import settings
    from django.core.management import call_command

    if any(cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
           for cache in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import m2m_changed, post_init, post_save
        from wagtail.models import ModelLogEntry, PageLogEntry

        from operations import receivers
        from operations.spreadsheets import protect_wagtail_spreadsheet_export

        # Every ?export=csv / xlsx of the back office writes no cell that runs as a formula.
        protect_wagtail_spreadsheet_export()

        user_model = get_user_model()
        user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="audit_login")
        user_logged_out.connect(receivers.on_user_logged_out, dispatch_uid="audit_logout")
        user_login_failed.connect(receivers.on_user_login_failed, dispatch_uid="audit_login_failed")
        m2m_changed.connect(receivers.on_groups_changed, sender=user_model.groups.through,
                            dispatch_uid="audit_groups")
        post_init.connect(receivers.on_user_init, sender=user_model, dispatch_uid="audit_user_init")
        post_save.connect(receivers.on_user_saved, sender=user_model, dispatch_uid="audit_user_save")
        for log_model in (ModelLogEntry, PageLogEntry):
            post_save.connect(receivers.on_wagtail_log_entry, sender=log_model,
                              dispatch_uid=f"audit_wagtail_{log_model.__name__}")
        # The daily backup and audit pruning schedules (django-q2), after every migrate.
        post_migrate.connect(_ensure_schedules, sender=self, dispatch_uid="operations_schedules")
        post_migrate.connect(_ensure_cache_table, sender=self,
                             dispatch_uid="operations_cache_table")

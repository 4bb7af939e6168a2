from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MastersConfig(AppConfig):
    name = "directory.masters"
    label = "masters"
    verbose_name = _("Masters")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from directory.masters.cache import masters_changed

        for model in self.get_models():
            post_save.connect(masters_changed, sender=model,
                              dispatch_uid=f"masters_cache_{model._meta.model_name}_save")
            post_delete.connect(masters_changed, sender=model,
                                dispatch_uid=f"masters_cache_{model._meta.model_name}_delete")

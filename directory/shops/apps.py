from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopsConfig(AppConfig):
    name = "directory.shops"
    label = "shops"
    verbose_name = _("Sponsor shops")

    def ready(self):
        from wagtail.signals import task_submitted, workflow_approved, workflow_rejected

        from directory.shops import images, workflow

        # E-mail about shop and event approvals (directory/shops/workflow.py).
        task_submitted.connect(workflow.on_task_submitted, dispatch_uid="shops_task_submitted")
        workflow_approved.connect(workflow.on_workflow_approved,
                                  dispatch_uid="shops_workflow_approved")
        workflow_rejected.connect(workflow.on_workflow_rejected,
                                  dispatch_uid="shops_workflow_rejected")
        workflow.quiet_wagtail_notifiers()
        # Uploaded images lose their EXIF location (directory/shops/images.py).
        images.connect()
        # nginx keeps the detail pages longer; a change refreshes them (config/frontend_cache.py).
        from django.db.models.signals import post_delete
        from wagtail.signals import published, unpublished

        from config.frontend_cache import refresh_detail_page
        from directory.shops.models import Shop

        for name, signal in (("published", published), ("unpublished", unpublished),
                             ("deleted", post_delete)):
            signal.connect(refresh_detail_page, sender=Shop,
                           dispatch_uid=f"shops_refresh_detail_{name}")

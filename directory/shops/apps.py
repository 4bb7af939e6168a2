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

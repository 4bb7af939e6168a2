"""The audit log: who did what, when, from where, to which object.

Rows are written only by operations.services.audit_record (signals and the
audit middleware call it) and removed only by the retention task
(operations.services.audit_prune). An existing row is never changed: `save()`
refuses updates, and the back office shows the log read-only.

A row never holds a secret: no password, token, session or CSRF value. The
detail is passed through `operations.services.audit_detail_clean`, which drops
keys that name one, and a failed login keeps only the e-mail address typed.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logout")
        ROLE_CHANGE = "role_change", _("Role change")
        WORKFLOW_SUBMIT = "workflow_submit", _("Submitted for approval")
        WORKFLOW_APPROVE = "workflow_approve", _("Approval")
        WORKFLOW_REJECT = "workflow_reject", _("Rejection")
        WORKFLOW_CANCEL = "workflow_cancel", _("Approval cancelled")
        PUBLISH = "publish", _("Publish")
        UNPUBLISH = "unpublish", _("Unpublish")
        DELETE = "delete", _("Delete")
        EXPORT = "export", _("Export")
        PERSONAL_DATA_VIEW = "personal_data_view", _("Personal data view")
        EMAIL_CHANGE = "email_change", _("Sign-in e-mail change")
        EMAIL_CHANGE_UNDO = "email_change_undo", _("Sign-in e-mail change undone")
        PASSWORD_CHANGE = "password_change", _("Password change")
        TWO_FACTOR_LINK = "two_factor_link", _("Second-factor enrolment link sent")
        TWO_FACTOR_ENROL = "two_factor_enrol", _("Second factor enrolled")

    # Stored in UTC (USE_TZ); the admin shows it in TIME_ZONE (Japan time).
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True,
                                      editable=False)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices,
                              db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("user"), editable=False,
    )
    # The e-mail at the time, kept when the account is later deleted or renamed.
    user_label = models.CharField(_("user (e-mail)"), max_length=254, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True,
                                              editable=False)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, editable=False)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True,
                                   editable=False)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, editable=False)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder,
                              editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        # Read-only by design: no add, change or delete permission exists to grant.
        default_permissions = ("view",)
        indexes = [models.Index(fields=["object_type", "object_id"], name="operations_audit_obj")]

    def __str__(self):
        when = timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M:%S")
        return f"{when} {self.get_action_display()} {self.user_label}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are never changed once written.")
        super().save(*args, **kwargs)


class LegacyPasswordSetup(models.Model):
    """An account imported from the legacy system whose password hash could not be
    kept (not in Django's format): it holds a hash of no known password until the holder sets
    a new one through the link `manage.py send_password_setup --batch N` mails."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="legacy_password_setup", verbose_name=_("user"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("set-up mail sent at"), null=True, blank=True,
                                   db_index=True)

    class Meta:
        verbose_name = _("password set-up after migration")
        verbose_name_plural = _("password set-ups after migration")
        ordering = ["pk"]

    def __str__(self):
        return str(self.user_id)


class LegacyImportRun(models.Model):
    """One committed `import_legacy` run: the mapping it used (text and SHA-256) and every
    row that needed a decision, so `migration_report` lists them and refuses to compare the
    export through a different mapping. Dry runs are not recorded (they change nothing)."""

    created_at = models.DateTimeField(_("run at"), default=timezone.now, db_index=True)
    directory = models.CharField(_("export folder"), max_length=500)
    mapping_path = models.CharField(_("mapping file"), max_length=500)
    mapping_sha256 = models.CharField(_("mapping SHA-256"), max_length=64)
    mapping_text = models.TextField(_("mapping"))
    tables = models.JSONField(_("tables"), default=dict, encoder=DjangoJSONEncoder)
    issues = models.JSONField(_("rows that needed a decision"), default=list,
                              encoder=DjangoJSONEncoder)
    missing = models.JSONField(_("rows no longer in the export"), default=dict)
    unpublished = models.JSONField(_("rows unpublished as missing"), default=dict)

    class Meta:
        verbose_name = _("legacy import run")
        verbose_name_plural = _("legacy import runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.directory}"

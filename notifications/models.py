"""Web Push subscriptions and push campaigns (replacing the paid push service)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PushSubscription(models.Model):
    """One browser's Web Push subscription (legacy push user ↔ device link)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="push_subscriptions",
                               verbose_name=_("member"))
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    device_label = models.CharField(_("device"), max_length=100, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    general_news_only = models.BooleanField(_("general news only"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # The last delivery the push service refused (other than 404/410, which delete the
    # row): with no success for 30 days since, the subscription is pruned.
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # The signed-in account that registered this device (members and staff alike):
    # a test send goes to the sender's own devices.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="push_subscriptions")

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self):
        return self.device_label or self.endpoint[:60]


class Campaign(models.Model):
    """A push notification to a targeted set of members."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("body"), max_length=1000)
    link = models.CharField(_("link"), max_length=500, blank=True)
    icon = models.CharField(_("icon"), max_length=500, blank=True)
    everyone = models.BooleanField(_("everyone"), default=False)
    programmes = models.ManyToManyField("masters.Programme", blank=True, related_name="+",
                                        verbose_name=_("programmes"))
    genres = models.ManyToManyField("masters.Genre", blank=True, related_name="+",
                                    verbose_name=_("preferred genres"))
    benefit_types = models.ManyToManyField("masters.BenefitType", blank=True, related_name="+",
                                           verbose_name=_("preferred benefit types"))
    municipalities = models.ManyToManyField("masters.Municipality", blank=True, related_name="+",
                                            verbose_name=_("municipalities"))
    areas = models.ManyToManyField("masters.Area", blank=True, related_name="+",
                                   verbose_name=_("areas"))
    child_age_min = models.PositiveSmallIntegerField(_("youngest child age from"), null=True,
                                                     blank=True)
    child_age_max = models.PositiveSmallIntegerField(_("youngest child age to"), null=True,
                                                     blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approval_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL,
                                              on_delete=models.SET_NULL, null=True,
                                              blank=True, related_name="+")
    # Sending progress and results (counted by the batch tasks).
    target_count = models.PositiveIntegerField(_("target"), default=0)
    batches_pending = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    removed_count = models.PositiveIntegerField(_("removed subscriptions"), default=0)
    click_count = models.PositiveIntegerField(_("clicks"), default=0)
    started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    # Set when the campaign was made by publishing a news page with "send a push
    # notification" ticked (cms_pages/news.py): one campaign per page.
    news_page = models.OneToOneField("wagtailcore.Page", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("news page"))

    class Meta:
        verbose_name = _("push campaign")
        verbose_name_plural = _("push campaigns")
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_campaign", "Can approve a push campaign to everyone")]

    def __str__(self):
        return self.title

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Delivery(models.Model):
    """One push message handed to a push service (or refused): the send record."""

    class Result(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        REMOVED = "removed", _("Subscription removed (404/410)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="deliveries")
    subscription = models.ForeignKey(PushSubscription, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="deliveries")
    endpoint_host = models.CharField(max_length=200, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    is_test = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("push delivery")
        verbose_name_plural = _("push deliveries")
        indexes = [models.Index(fields=["campaign", "result"])]

    def __str__(self):
        return f"{self.endpoint_host} {self.result}"


class VapidKey(models.Model):
    """The server's VAPID key pair when PUSH_VAPID_PRIVATE_KEY is not set (development):
    generated once and shared by the web processes and the task worker."""

    private_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"VAPID key {self.pk}"

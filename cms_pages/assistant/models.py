"""The assistant's vocabulary and the site's anonymous counters.

Privacy: no table here holds a user, a session, an IP address or a timestamp
finer than a day. Questions the assistant could not answer are stored with
digits, e-mail addresses and URLs masked (`services.scrub`); search terms are
stored normalised and only when a search found nothing. Rows older than
settings.ANALYTICS_RETENTION_DAYS are deleted by `manage.py analytics_purge`
(scheduled daily, see services.analytics_purge).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Synonym(models.Model):
    """Words people use for the same thing: each variant found in a question (or an
    FAQ entry) also counts as the term. Edited by the secretariat."""

    term = models.CharField(_("term"), max_length=50, unique=True,
                            help_text=_("The word as the FAQ uses it, e.g. 退会."))
    variants = models.TextField(
        _("variants"),
        help_text=_("Other words with the same meaning, one per line or separated by "
                    "commas, e.g. 解約, やめたい."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assistant synonym")
        verbose_name_plural = _("assistant synonyms")
        ordering = ["term"]

    def __str__(self):
        return self.term

    def variant_list(self) -> list[str]:
        words = self.variants.replace("、", ",").replace(",", "\n").splitlines()
        return [word.strip() for word in words if word.strip()]


class DailyCount(models.Model):
    day = models.DateField(_("day"), db_index=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.day}: {self.count}"


class AssistantDay(DailyCount):
    """Questions asked and answered per day (count = asked)."""

    answered = models.PositiveIntegerField(_("answered"), default=0)

    class Meta:
        verbose_name = _("assistant questions per day")
        constraints = [models.UniqueConstraint(fields=["day"], name="assistant_day_unique")]


class UnansweredQuestion(DailyCount):
    """A question the assistant found no answer to (masked, at most 200 characters)."""

    text = models.CharField(_("question"), max_length=200)
    key = models.CharField(max_length=200, help_text="normalised text, for grouping")

    class Meta:
        verbose_name = _("unanswered question")
        constraints = [models.UniqueConstraint(fields=["day", "key"],
                                               name="assistant_unanswered_unique")]


class AnswerFeedback(DailyCount):
    """"Did this help?" per FAQ entry, day and answer."""

    faq_item = models.ForeignKey("cms_pages.FaqItem", on_delete=models.SET_NULL, null=True,
                                 related_name="+")
    question = models.CharField(_("FAQ question"), max_length=255)
    helpful = models.BooleanField(_("helpful"))

    class Meta:
        verbose_name = _("answer feedback")
        constraints = [models.UniqueConstraint(fields=["day", "question", "helpful"],
                                               name="assistant_feedback_unique")]


class ZeroResultSearch(DailyCount):
    """A shop search keyword (normalised) that found no shop."""

    term = models.CharField(_("term"), max_length=100)

    class Meta:
        verbose_name = _("search without results")
        constraints = [models.UniqueConstraint(fields=["day", "term"],
                                               name="assistant_zero_search_unique")]
        permissions = [("view_insights", "Can view the insight dashboard")]


class ShopView(DailyCount):
    """Views of a shop's public page per day."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("shop page views")
        constraints = [models.UniqueConstraint(fields=["day", "shop"],
                                               name="assistant_shop_view_unique")]

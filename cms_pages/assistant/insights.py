"""The insight dashboard's figures (selectors: reads only). Each is a `Table`
(caption, headers, rows) shown as an accessible table and downloadable as CSV."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from wagtail.models import TaskState, WorkflowState

from cms_pages.assistant.models import (
    AnswerFeedback,
    ShopView,
    UnansweredQuestion,
    ZeroResultSearch,
)
from directory.masters.models import Programme
from directory.members.models import Member
from directory.shops.models import Shop
from notifications.models import Campaign

TOP = 20


@dataclass(frozen=True)
class Table:
    slug: str
    caption: str
    headers: list[str]
    rows: list[list]


def members_by_programme() -> Table:
    """A member counts for 子育て if they have a child or a due date, for 結婚 if they
    have a (planned) marriage date (the data each programme's card is issued from)."""
    child = Member.objects.filter(Q(children__isnull=False) | Q(due_date__isnull=False)) \
        .distinct().count()
    marriage = Member.objects.filter(Q(marriage_date__isnull=False)
                                     | Q(planned_marriage_date__isnull=False)).count()
    rows = []
    for programme in Programme.objects.order_by("sort_order", "code"):
        count = child if programme.kind == Programme.Kind.CHILD_RAISING else marriage
        rows.append([programme.name, count])
    rows.append([_("All members"), Member.objects.count()])
    return Table("members-programme", _("Members by programme"), [_("Programme"), _("Members")],
                 rows)


def members_by_municipality() -> Table:
    rows = (Member.objects.values("municipality__name").annotate(n=Count("pk"))
            .order_by("-n", "municipality__name"))
    return Table("members-municipality", _("Members by municipality"),
                 [_("Municipality"), _("Members")],
                 [[r["municipality__name"] or _("Not set"), r["n"]] for r in rows])


def members_by_month() -> Table:
    rows = (Member.objects.annotate(month=TruncMonth("created_at")).values("month")
            .annotate(n=Count("pk")).order_by("month"))
    return Table("members-month", _("New members by month"), [_("Month"), _("Members")],
                 [[r["month"].strftime("%Y-%m"), r["n"]] for r in rows])


def shops_by_status() -> Table:
    shop_type = ContentType.objects.get_for_model(Shop)
    pending = WorkflowState.objects.filter(
        base_content_type=shop_type, status=WorkflowState.STATUS_IN_PROGRESS,
    ).values("object_id").distinct().count()
    return Table("shops-status", _("Sponsor shops by status"), [_("Status"), _("Shops")], [
        [_("Published"), Shop.objects.filter(live=True).count()],
        [_("Not published"), Shop.objects.filter(live=False).count()],
        [_("Awaiting approval"), pending],
    ])


def shops_by_genre() -> Table:
    rows = (Shop.objects.filter(live=True, genres__isnull=False).values("genres__name")
            .annotate(n=Count("pk", distinct=True)).order_by("-n", "genres__name"))
    return Table("shops-genre", _("Published sponsor shops by genre"), [_("Genre"), _("Shops")],
                 [[r["genres__name"], r["n"]] for r in rows])


def shops_by_municipality() -> Table:
    rows = (Shop.objects.filter(live=True).values("municipality__name")
            .annotate(n=Count("pk")).order_by("-n", "municipality__name"))
    return Table("shops-municipality", _("Published sponsor shops by municipality"),
                 [_("Municipality"), _("Shops")], [[r["municipality__name"], r["n"]] for r in rows])


def approval_lead_times() -> Table:
    """Days from submission (the workflow's start) to approval (its last task's end),
    per kind of content, from Wagtail's workflow states."""
    by_type: dict[str, list[float]] = {}
    states = (WorkflowState.objects.filter(status=WorkflowState.STATUS_APPROVED)
              .select_related("base_content_type"))
    for state in states:
        last = (TaskState.objects.filter(workflow_state=state, finished_at__isnull=False)
                .order_by("-finished_at").values_list("finished_at", flat=True).first())
        if last is None:
            continue
        model = state.base_content_type.model_class()
        label = str(model._meta.verbose_name_plural) if model else state.base_content_type.model
        by_type.setdefault(label, []).append((last - state.created_at).total_seconds() / 86400)
    rows = [[label, len(days), round(statistics.median(days), 1),
             round(statistics.mean(days), 1), round(max(days), 1)]
            for label, days in sorted(by_type.items())]
    return Table("approval-lead-times", _("Approval lead times (days)"),
                 [_("Content"), _("Approved"), _("Median"), _("Average"), _("Longest")], rows)


def zero_result_searches() -> Table:
    rows = (ZeroResultSearch.objects.values("term").annotate(n=Sum("count"))
            .order_by("-n", "term")[:TOP])
    return Table("zero-result-searches", _("Shop searches without results (top terms)"),
                 [_("Term"), _("Searches")], [[r["term"], r["n"]] for r in rows])


def most_viewed_shops() -> Table:
    rows = (ShopView.objects.values("shop__name", "shop_id").annotate(n=Sum("count"))
            .order_by("-n", "shop__name")[:TOP])
    return Table("most-viewed-shops", _("Most viewed sponsor shops"), [_("Shop"), _("Views")],
                 [[r["shop__name"], r["n"]] for r in rows])


def unanswered_questions() -> Table:
    rows = (UnansweredQuestion.objects.values("key").annotate(n=Sum("count"))
            .order_by("-n", "key")[:TOP])
    texts = dict(UnansweredQuestion.objects.filter(key__in=[r["key"] for r in rows])
                 .values_list("key", "text"))
    return Table("unanswered-questions", _("Assistant questions without an answer"),
                 [_("Question"), _("Times asked")], [[texts.get(r["key"], r["key"]), r["n"]]
                                                     for r in rows])


def answer_feedback() -> Table:
    rows = (AnswerFeedback.objects.values("question")
            .annotate(yes=Sum("count", filter=Q(helpful=True)),
                      no=Sum("count", filter=Q(helpful=False)))
            .order_by("question"))
    return Table("answer-feedback", _("Did the assistant's answer help?"),
                 [_("FAQ question"), _("Yes"), _("No")],
                 [[r["question"], r["yes"] or 0, r["no"] or 0] for r in rows])


def push_campaigns() -> Table:
    """Each campaign's delivery results (notifications/ keeps the counters)."""
    labels = dict(Campaign.Status.choices)
    rows = Campaign.objects.order_by("-created_at", "-pk").values_list(
        "title", "status", "target_count", "sent_count", "failed_count", "removed_count",
        "click_count")[:TOP * 5]
    return Table("push-campaigns", _("Push campaign results"),
                 [_("Campaign"), _("Status"), _("Target"), _("Sent"), _("Failed"),
                  _("Removed subscriptions"), _("Clicks")],
                 [[title, str(labels.get(status, status)), *counts]
                  for title, status, *counts in rows])


TABLES = {
    "members-programme": members_by_programme,
    "members-municipality": members_by_municipality,
    "members-month": members_by_month,
    "shops-status": shops_by_status,
    "shops-genre": shops_by_genre,
    "shops-municipality": shops_by_municipality,
    "approval-lead-times": approval_lead_times,
    "zero-result-searches": zero_result_searches,
    "most-viewed-shops": most_viewed_shops,
    "unanswered-questions": unanswered_questions,
    "answer-feedback": answer_feedback,
    "push-campaigns": push_campaigns,
}


def all_tables() -> list[Table]:
    return [build() for build in TABLES.values()]

"""Admin screens of the shop side that Wagtail does not have.

- Failed background tasks (Reports menu): the django-q2 tasks that failed (mails
  to shops and the secretariat, digests, backups…), newest first, for the
  secretariat. django-q2 retries a failed task (Q_CLUSTER retry/max_attempts);
  what stays here failed every attempt or is still waiting for its next one.
- Chain approval: approve the waiting submissions of a chain's head and branches
  in one go (Wagtail's workflow approve for each, so each is published once and
  logged as usual).
"""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_q.models import Failure
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.models import TaskState, WorkflowState
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction

from directory.access import shops_for_user
from directory.shops.models import Shop

FAILURE_PERMISSION = "django_q.view_failure"


class FailedTasksView(ReportView):
    page_title = gettext_lazy("Failed background tasks")
    header_icon = "warning"
    index_url_name = "shops_failed_tasks"
    index_results_url_name = "shops_failed_tasks_results"
    paginate_by = 50
    columns = [
        Column("name", label=gettext_lazy("Task")),
        Column("func", label=gettext_lazy("Function")),
        DateColumn("stopped", label=gettext_lazy("Failed at")),
        Column("attempt_count", label=gettext_lazy("Attempts")),
        Column("short_result", label=gettext_lazy("Error message"), accessor="short_result"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(FAILURE_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def user_has_permission(self, permission):
        return self.request.user.has_perm(FAILURE_PERMISSION)

    def get_queryset(self):
        return Failure.objects.order_by("-stopped")

    def decorate_paginated_queryset(self, object_list):
        for task in object_list:
            result = str(task.result or "")
            task.short_result = result if len(result) <= 300 else result[:300] + "…"
        return object_list


def chain_waiting_task_states(head: Shop):
    """In-progress task states of the chain's head and branches the user may act on."""
    ids = [str(head.pk), *(str(pk) for pk in head.branches.values_list("pk", flat=True))]
    from django.contrib.contenttypes.models import ContentType

    return (
        TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
            workflow_state__base_content_type=ContentType.objects.get_for_model(Shop),
            workflow_state__object_id__in=ids,
        )
        .select_related("workflow_state", "revision", "task")
        .order_by("workflow_state__object_id")
    )


class ChainApprovalView(WagtailAdminTemplateMixin, TemplateView):
    """GET: the chain's waiting submissions, each with a link to compare; POST:
    approve the ticked ones (each through Wagtail's task approve → publish)."""

    template_name = "shops/admin/chain_approval.html"
    header_icon = "tasks"
    page_title = gettext_lazy("Approve a chain")

    def dispatch(self, request, pk):
        self.head = get_object_or_404(Shop, pk=pk, is_chain_head=True)
        if not request.user.has_perm("shops.publish_shop"):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.head.name

    def _rows(self):
        rows = []
        for task_state in chain_waiting_task_states(self.head):
            task = task_state.task.specific
            if not any(name == "approve" for name, _label, _modal
                       in task.get_actions(task_state.workflow_state.content_object,
                                           self.request.user)):
                continue
            obj = task_state.workflow_state.content_object
            rows.append({
                "task_state": task_state,
                "object": obj,
                "title": task_state.revision.object_str if task_state.revision_id else str(obj),
                "is_new": not obj.live,
                "compare_url": reverse("wagtailsnippets_shops_shop:revisions_compare",
                                       args=[quote(obj.pk), "live" if obj.live else "earliest",
                                             task_state.revision_id]),
                "edit_url": reverse("wagtailsnippets_shops_shop:edit", args=[quote(obj.pk)]),
            })
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"head": self.head, "rows": self._rows()})
        return context

    def post(self, request, pk):
        chosen = set(request.POST.getlist("task_state"))
        approved = []
        for row in self._rows():
            task_state = row["task_state"]
            if str(task_state.pk) not in chosen:
                continue
            with transaction.atomic():
                locked = (TaskState.objects.select_for_update().filter(pk=task_state.pk)
                          .values_list("status", flat=True).first())
                if locked != TaskState.STATUS_IN_PROGRESS:
                    continue
                task_state.task.specific.on_action(task_state, request.user, "approve")
            approved.append(row["title"])
        if approved:
            messages.success(request, _("Approved and published: %(names)s") % {
                "names": "、".join(approved)})
        else:
            messages.warning(request, _("Nothing was approved: tick at least one waiting shop."))
        return redirect("shops_chain_approval", pk=self.head.pk)


class ShopDeleteBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete for shops, scoped like every other shop screen: an id
    the user may not manage answers 404 (its name is never listed), and "all" means
    all of the user's own shops. Registered after Wagtail's, so it replaces it for
    shops only."""

    models = [Shop]

    def _requested_ids_allowed(self, request) -> bool:
        ids = request.GET.getlist("id")
        if "all" in ids:
            return True
        try:
            wanted = {int(value) for value in ids}
        except ValueError:
            return False
        allowed = set(shops_for_user(request.user).filter(pk__in=wanted)
                      .values_list("pk", flat=True))
        return wanted <= allowed

    def dispatch(self, request, *args, **kwargs):
        if not self._requested_ids_allowed(request):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_all_objects_in_listing_query(self, parent_id):
        return shops_for_user(self.request.user).values_list("pk", flat=True)

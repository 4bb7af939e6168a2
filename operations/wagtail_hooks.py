"""The audit log in the back office: read-only, for roles holding
operations.view_auditevent (the secretariat and the auditor).

Read-only three ways: the model has no add/change/delete permissions at all
(`default_permissions = ("view",)`), the permission policy below refuses every
action but "view" even to superusers, and the viewset serves no add, edit,
copy, delete or history URL. AuditEvent.save() also refuses updates.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from operations.models import AuditEvent

READ_ACTIONS = frozenset({"view"})


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, but only "view" can ever be granted."""

    def user_has_permission(self, user, action):
        return action in READ_ACTIONS and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action in READ_ACTIONS]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


register_permission_policy(AuditEvent, ReadOnlyPermissionPolicy(AuditEvent))


class AuditEventFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(
        label=_("action"), choices=AuditEvent.Action.choices, empty_label=_("All"),
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("date"), widget=DateRangePickerWidget,
    )
    object_type = django_filters.CharFilter(label=_("object type"))
    object_id = django_filters.CharFilter(label=_("object id"))

    class Meta:
        model = AuditEvent
        fields = []


class AuditEventViewSet(ModelViewSet):
    model = AuditEvent
    name = "audit_log"
    url_prefix = "audit-log"
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 950
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "created_at",  # the title column: links to the inspect view
        "action",
        Column("user_label", label=_("user"), sort_key="user_label"),
        "ip_address",
        "object_type",
        "object_id",
    ]
    list_export = ["created_at", "action", "user_label", "ip_address", "request_id",
                   "object_type", "object_id", "detail"]
    export_filename = "audit-log"
    filterset_class = AuditEventFilterSet
    search_fields = ["user_label", "object_type", "object_id", "request_id"]
    search_backend_name = None
    list_per_page = 50
    ordering = ["-created_at", "-pk"]
    inspect_view_fields = ["created_at", "action", "user", "user_label", "ip_address",
                           "request_id", "object_type", "object_id", "detail"]

    def get_queryset(self, request):
        return AuditEvent.objects.all()

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        # No URL to add, edit, delete, copy or see the history or usage of an event.
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "copy_url_name",
                     "history_url_name", "usage_url_name"):
            view_kwargs[name] = None
        return view_kwargs

    def get_urlpatterns(self):
        # Built here rather than filtered from super(), so the add/edit/delete views
        # (and their forms) are never even constructed.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().filter(codename="view_auditevent")


@hooks.register("register_admin_viewset")
def register_audit_log_viewset():
    return AuditEventViewSet()

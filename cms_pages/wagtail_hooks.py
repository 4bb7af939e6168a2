"""Admin hooks of the CMS: the accessibility checker's rule set, the shareable
preview link, and who may read contact form submissions."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.userbar import ContentCheckerItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page
from wagtail.permissions import policy_registry

from cms_pages import preview_links

# --- The accessibility checker (userbar, preview panel and the editor's Checks panel) --

WCAG_22_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class PortalContentCheckerItem(ContentCheckerItem):
    """Wagtail's content checker with the WCAG 2.2 AA rule set (the site's
    target, as in the e2e sweep) instead of its short default list, plus the
    best-practice rules Wagtail checks by default (heading order, empty
    headings and table headers, alt text that looks like a file name…).

    axe's ``runOnly`` takes tags or rules, not both; rules switched on in the
    ``rules`` option run in addition to the tags.
    """

    axe_run_only = WCAG_22_AA_TAGS
    axe_rules = {
        rule: {"enabled": True}
        for rule in (
            "heading-order",
            "empty-heading",
            "empty-table-header",
            "p-as-heading",
            "alt-text-quality",
            "empty-meta-description",
        )
    }


@hooks.register("construct_wagtail_userbar")
def use_wcag22_content_checker(request, items, page=None):
    for index, item in enumerate(items):
        if isinstance(item, ContentCheckerItem) and not isinstance(item, PortalContentCheckerItem):
            items[index] = PortalContentCheckerItem(in_editor=item.in_editor)


# --- Shareable preview link ----------------------------------------------------------


class PreviewLinkView(WagtailAdminTemplateMixin, TemplateView):
    """Shows a fresh link to send to a reviewer; no record is stored."""

    template_name = "cms_pages/admin/preview_link.html"
    header_icon = "link"
    page_title = _("Shareable preview link")

    def dispatch(self, request, page_id):
        self.page = get_object_or_404(Page, pk=page_id).specific
        if self.page.depth < 2 or not self.page.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        return super().dispatch(request, page_id)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailadmin_explore", args=[self.page.get_parent().pk]),
             "label": self.page.get_parent().get_admin_display_title()},
            {"url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
             "label": self.page.get_admin_display_title()},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = preview_links.preview_link_token(self.page)
        context.update(
            page=self.page,
            preview_url=self.request.build_absolute_uri(
                reverse("cms_pages:shared_preview", args=[token])),
            expires_at=preview_links.preview_link_expires_at(token),
            days=preview_links.preview_link_max_age().days,
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
        )
        return context


@hooks.register("register_admin_urls")
def preview_link_urls():
    return [
        path("cms/preview-link/<int:page_id>/", PreviewLinkView.as_view(),
             name="cms_pages_preview_link"),
    ]


class PreviewLinkMenuItem(PageMenuItem):
    label = _("Shareable preview link")
    icon_name = "link"
    url_name = "cms_pages_preview_link"

    def is_shown(self, user):
        return self.page.depth >= 2 and self.page.permissions_for_user(user).can_edit()


@hooks.register("register_page_header_buttons")
def preview_link_header_button(page, user, view_name, next_url=None):
    yield PreviewLinkMenuItem(page=page, priority=62)


@hooks.register("register_page_listing_more_buttons")
def preview_link_listing_button(page, user, next_url=None):
    yield PreviewLinkMenuItem(page=page, priority=62)


# --- Contact form submissions: personal data, for the secretariat only ---------------


@hooks.register("filter_form_submissions_for_user")
def form_submissions_for_publishers(user, editable_forms):
    """Editors may edit the contact page but not read what visitors sent:
    only users who may publish a form page see its submissions."""
    publishable = policy_registry.get_by_type(Page).instances_user_has_permission_for(
        user, "publish")
    return editable_forms.filter(pk__in=publishable.values("pk"))


@hooks.register("insert_global_admin_css")
def portal_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


def _name_the_translation_report_filters():
    """wagtail-localize 1.x leaves the language filters of its translations report
    without labels, so django-filter shows "Source locale" / "Target locale" in English
    whatever the language (docs/backoffice.md). Named here, once, at start-up."""
    from wagtail_localize.views.report import TranslationsReportFilterSet

    filters = TranslationsReportFilterSet.base_filters
    filters["source_locale"].label = _("Source language")
    filters["target_locale"].label = _("Target language")


_name_the_translation_report_filters()

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from staffauth.admin_views import EnrolmentLinksView, user_may_send_enrolment_links


@hooks.register("register_admin_urls")
def enrolment_links_urls():
    return [path("staff-enrolment-links/", EnrolmentLinksView.as_view(),
                 name="staffauth_enrolment_links")]


class EnrolmentLinksMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_send_enrolment_links(request.user)


@hooks.register("register_settings_menu_item")
def enrolment_links_menu_item():
    return EnrolmentLinksMenuItem(_("Authenticator enrolment links"),
                                  reverse("staffauth_enrolment_links"),
                                  name="staff-enrolment-links", icon_name="key", order=950)

"""Session time limits for signed-in users and the TOTP step for staff in the admin.

Place both after AuthenticationMiddleware.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from staffauth import services
from staffauth.services import (
    SESSION_IS_STAFF,
    SESSION_LOGIN_AT,
    SESSION_SEEN_AT,
)

# Refresh the "last seen" stamp at most this often, so a browsing session is not
# written back to the session store on every request.
SEEN_WRITE_INTERVAL = 60


def _admin_prefix():
    return getattr(settings, "STAFF_ADMIN_PATH_PREFIX", "/admin/")


def _login_redirect(request):
    if request.path.startswith(_admin_prefix()):
        return redirect(f"{reverse('wagtailadmin_login')}?{urlencode({'next': request.path})}")
    return None


class SessionTimeoutMiddleware:
    """Absolute limit for every signed-in session (``SESSION_ABSOLUTE_TIMEOUT``,
    12 h) and an idle limit for back-office users (``STAFF_SESSION_IDLE_TIMEOUT``,
    30 min). An expired session is logged out; under /admin/ the user is sent to
    the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check(request, user)
            if expired:
                logout(request)
                response = _login_redirect(request)
                if response is not None:
                    return response
        return self.get_response(request)

    def _check(self, request, user) -> bool:
        session = request.session
        now = int(time.time())
        if SESSION_LOGIN_AT not in session:  # signed in before this was deployed
            services.session_stamp_login(request, user)
            return False
        absolute = getattr(settings, "SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)
        if absolute and now - session[SESSION_LOGIN_AT] > absolute:
            return True
        idle = getattr(settings, "STAFF_SESSION_IDLE_TIMEOUT", 30 * 60)
        seen = session.get(SESSION_SEEN_AT, now)
        if idle and session.get(SESSION_IS_STAFF) and now - seen > idle:
            return True
        if now - seen >= SEEN_WRITE_INTERVAL:
            session[SESSION_SEEN_AT] = now
        return False


class StaffTwoFactorMiddleware:
    """Under /admin/, a user who must use TOTP (see services.two_factor_required)
    reaches nothing but the TOTP pages, the login and the logout until this session
    passed the second factor; one without an authenticator is sent to the enrolment page,
    which asks for the enrolment link the secretariat mails (staffauth.views.enrol)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = {
                reverse("wagtailadmin_login"),
                reverse("wagtailadmin_logout"),
                reverse("wagtailadmin_javascript_catalog"),
                reverse("wagtailadmin_sprite"),  # icons, fetched by icons.js on every page
                reverse("staffauth:verify"),
                reverse("staffauth:enrol"),
            }
        return self._open_paths

    def link_prefix(self):
        return reverse("staffauth:link", kwargs={"token": "x"})[:-2]

    def __call__(self, request):
        path = request.path
        user = getattr(request, "user", None)
        if (
            path.startswith(_admin_prefix())
            and user is not None
            and user.is_authenticated
            and path not in self.open_paths()
            and not path.startswith(self.link_prefix())
            and not services.session_is_verified(request)
        ):
            # Anyone who registered an authenticator is asked for it, required or not.
            device = services.device_for(user)
            if device is not None or services.two_factor_required(user):
                target = "staffauth:verify" if device else "staffauth:enrol"
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)

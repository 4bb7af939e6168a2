from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from staffauth.services import session_stamp_login


@receiver(user_logged_in, dispatch_uid="staffauth_session_stamp_login")
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_stamp_login(request, user)

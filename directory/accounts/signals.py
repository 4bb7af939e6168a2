"""What follows a change of a sign-in address or a password, whichever path made it
(the member pages, /admin/account/, the secretariat's user editor, a password reset,
manage.py): connected in AccountsConfig.ready.

- e-mail: services.email_change_recorded (audit row, mail to the old address with an
  undo link), except for the undo itself.
- password: services.password_change_recorded (audit row, API tokens revoked) when the
  password was set through `set_password` since the last save. Django's own re-hash
  at login (a stronger hasher) clears that marker, so it revokes nothing.
"""

from django.utils import translation


def on_user_init(sender, instance, **kwargs):
    # __dict__: a deferred field must not be loaded just to remember it.
    instance._accounts_initial = (instance.__dict__.get("email"),
                                  instance.__dict__.get("password"))


def on_user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    from directory.accounts import services

    initial_email, initial_password = getattr(instance, "_accounts_initial", (None, None))
    instance._accounts_initial = (instance.email, instance.password)
    if raw or created:
        return
    if (initial_email and instance.email != initial_email
            and (update_fields is None or "email" in update_fields)
            and not getattr(instance, "_email_change_undo", False)):
        services.email_change_recorded(user=instance, old_email=initial_email,
                                       language=translation.get_language())
    # `_password` holds the raw password from set_password until AbstractBaseUser.save
    # has run the validators' password_changed (after this signal). An account created
    # without a usable password and given one afterwards (factories, sign-up) had
    # nothing to revoke.
    if (getattr(instance, "_password", None) is not None and initial_password
            and (update_fields is None or "password" in update_fields)):
        services.password_change_recorded(user=instance)

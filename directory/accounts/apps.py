from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from directory.accounts.roles import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "directory.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # After every migrate the role groups hold exactly the permissions in roles.py.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="accounts_sync_roles")
        from django.db.models.signals import post_init, post_save

        from directory.accounts import signals
        from directory.accounts.models import User

        post_init.connect(signals.on_user_init, sender=User, dispatch_uid="accounts_user_init")
        post_save.connect(signals.on_user_saved, sender=User, dispatch_uid="accounts_user_saved")

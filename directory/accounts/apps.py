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

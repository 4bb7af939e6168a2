from wagtail import hooks

from directory.accounts.admin_forms import SignInEmailSettingsPanel


@hooks.register("register_account_settings_panel")
def sign_in_email_panel(request, user, profile):
    return SignInEmailSettingsPanel(request, user, profile)

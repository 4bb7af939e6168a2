"""The back-office form of ふぁみなび articles (directory/events/wagtail_hooks.py)."""

from wagtail.admin.forms import WagtailAdminModelForm

from directory.content_forms import CreatorFormMixin, MunicipalScopeFormMixin
from directory.shops.admin_forms import ChoosableImagesFormMixin


class ArticleAdminForm(ChoosableImagesFormMixin, CreatorFormMixin, MunicipalScopeFormMixin,
                       WagtailAdminModelForm):
    """The creator is kept from the first autosave; municipal staff post for their
    own municipality only (directory/content_forms.py); the image is one the user may
    choose (directory/shops/admin_forms.py)."""

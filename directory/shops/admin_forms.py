"""The back-office shop and event forms: Wagtail's model forms plus the rules
Wagtail's panels cannot express.

A shop joins a programme by having a benefit for it (one inline row per
programme, each with its benefit title required). Submitting or publishing
needs at least one such benefit, or, for a branch, a chain head that gives
its branches a benefit (`ShopBenefit.applies_to_branches`). Saving a draft
(一時保存) may still be incomplete, as Wagtail's drafts are.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from directory.content_forms import CreatorFormMixin, MunicipalScopeFormMixin

NO_BENEFIT = _("Enter the benefit for each programme the shop joins: at least one programme "
               "and its benefit.")


def _choosable_shops(user):
    from directory.access import shops_choosable_by_user

    return shops_choosable_by_user(user) if user is not None else None


def _with_current(queryset, instance, field_name):
    """Keep the value the object already has valid, whatever the user may choose."""
    from directory.shops.models import Shop

    current = getattr(instance, f"{field_name}_id", None)
    if current is None:
        return queryset
    return Shop.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk=current))


class ChoosableImagesFormMixin:
    """Every image field of the form and of its inline rows accepts only an image the
    user may choose (directory.access: for a shop owner, their own uploads), or the
    image the row has already: another owner's image by a hand-made id is refused
    like any invalid choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is None:
            return
        from wagtail.images import get_image_model

        from directory.access import images_choosable_by_user

        image_model = get_image_model()
        choosable = images_choosable_by_user(self.for_user)
        forms = [self, *(form for formset in self.formsets.values()
                         for form in [*formset.forms, formset.empty_form])]
        for form in forms:
            for name, field in form.fields.items():
                queryset = getattr(field, "queryset", None)
                if queryset is None or queryset.model is not image_model:
                    continue
                current = getattr(form.instance, f"{name}_id", None)
                field.queryset = image_model.objects.filter(
                    Q(pk__in=choosable.values("pk")) | Q(pk=current))


class ShopAdminForm(ChoosableImagesFormMixin, WagtailAdminModelForm):
    """Also: the chain head can only be a shop the user may choose (a published one,
    or their own; for a shop owner, a chain head), never another owner's unpublished
    shop by a hand-made id."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shops = _choosable_shops(self.for_user)
        if shops is not None and "parent" in self.fields:
            from directory.shops.owner_admin import is_shop_owner_only

            if is_shop_owner_only(self.for_user):
                shops = shops.filter(is_chain_head=True)
            self.fields["parent"].queryset = _with_current(shops, self.instance, "parent")

    def clean(self):
        cleaned = super().clean()
        if self.is_deferred_validation:
            return cleaned
        benefits = self.formsets.get("benefits")
        if benefits is None or not benefits.is_valid():
            return cleaned  # the rows' own errors are shown
        kept = [
            form for form in benefits.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
            and (form.instance.pk or form.has_changed())
        ]
        if kept:
            return cleaned
        head = cleaned.get("parent")
        if head is not None and head.live and head.benefits.filter(
            applies_to_branches=True
        ).exists():
            return cleaned
        raise ValidationError(NO_BENEFIT, code="no_benefit")


class EventAdminForm(ChoosableImagesFormMixin, CreatorFormMixin, MunicipalScopeFormMixin,
                     WagtailAdminModelForm):
    """The event's organising shop: for a shop owner one of their own shops; for
    others a shop they may choose (published, or their own). A hand-made id of
    another shop is refused like any invalid choice. The creator and, for municipal
    staff, the municipality: directory/content_forms.py."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is None or "shop" not in self.fields:
            return
        from directory.access import shops_for_user
        from directory.shops.owner_admin import is_shop_owner_only

        if is_shop_owner_only(self.for_user):
            shops = shops_for_user(self.for_user)
            self.fields["shop"].required = True
        else:
            shops = _choosable_shops(self.for_user)
        self.fields["shop"].queryset = _with_current(shops, self.instance, "shop")

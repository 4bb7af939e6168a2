"""Audited access functions: the only way back-office code reaches objects a
role must not see (Zulip style). The Wagtail permission policies below and the
URL guard in directory/admin.py both go through these.

- Secretariat, auditors and superusers: every row (`<app>.access_all_<model>`).
- Shop owners: the shops linked to them (OwnerShop) and the branches of a chain
  head they own; the events of those shops or that they created.
- Municipal staff: the events and ふぁみなび articles of their municipality.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from wagtail.permission_policies import ModelPermissionPolicy

from directory.events.models import Event
from directory.faminavi.models import Article
from directory.shops.models import Shop


def sees_everything(user, model) -> bool:
    opts = model._meta
    return user.is_active and (
        user.is_superuser or user.has_perm(f"{opts.app_label}.access_all_{opts.model_name}")
    )


_sees_everything = sees_everything  # the name api/events.py and api/faminavi.py use


def fixed_municipality_id(user, model):
    """The municipality a user's new events and articles belong to, whatever they send:
    their own, for municipal staff; None for roles that see every row or have none."""
    if user is None or not user.is_authenticated or sees_everything(user, model):
        return None
    return user.municipality_id


def shops_for_user(user) -> QuerySet:
    if not user.is_authenticated:
        return Shop.objects.none()
    if sees_everything(user, Shop):
        return Shop.objects.all()
    owned = Q(owner_shops__owner__user=user) | Q(
        parent__owner_shops__owner__user=user, parent__is_chain_head=True
    )
    # Distinct ids in a subquery keep the outer query free of duplicate rows.
    return Shop.objects.filter(pk__in=Shop.objects.filter(owned).values("pk"))


def shops_choosable_by_user(user) -> QuerySet:
    """Shops a user may pick in a chooser: published ones and their own."""
    if sees_everything(user, Shop):
        return Shop.objects.all()
    return Shop.objects.filter(Q(live=True) | Q(pk__in=shops_for_user(user).values("pk")))


def shop_for_user(user, pk) -> Shop:
    try:
        return shops_for_user(user).get(pk=pk)
    except (Shop.DoesNotExist, ValueError) as error:
        raise Http404 from error


def events_for_user(user) -> QuerySet:
    if not user.is_authenticated:
        return Event.objects.none()
    if sees_everything(user, Event):
        return Event.objects.all()
    scope = Q(created_by=user) | Q(shop__in=shops_for_user(user))
    if user.municipality_id:
        scope |= Q(municipality_id=user.municipality_id)
    return Event.objects.filter(scope)


def articles_for_user(user) -> QuerySet:
    if not user.is_authenticated:
        return Article.objects.none()
    if sees_everything(user, Article):
        return Article.objects.all()
    scope = Q(created_by=user)
    if user.municipality_id:
        scope |= Q(municipality_id=user.municipality_id)
    return Article.objects.filter(scope)


SCOPES = {Shop: shops_for_user, Event: events_for_user, Article: articles_for_user}


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions (what a role may do) narrowed to the rows in its scope."""

    def __init__(self, model, scope):
        super().__init__(model)
        self.scope = scope

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.scope(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.user_can_reach(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self.user_can_reach(user, instance)

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)

    def user_can_reach(self, user, instance) -> bool:
        if instance is None or instance.pk is None:
            return True
        return self.scope(user).filter(pk=instance.pk).exists()

    def user_can_reach_pk(self, user, pk) -> bool:
        try:
            return self.scope(user).filter(pk=pk).exists()
        except (ValueError, TypeError):
            return False

"""Audited access functions: the only way back-office code reaches objects a
role must not see (Zulip style). The Wagtail permission policies below and the
URL guard in directory/admin.py both go through these.

- Secretariat, auditors and superusers: every row (`<app>.access_all_<model>`).
- Shop owners: the shops linked to them (OwnerShop) and the branches of a chain
  head they own; the events of those shops or that they created.
- Municipal staff: the events and ふぁみなび articles of their municipality.

Choosers (the modal that picks an object for a form field) ask the model's
registered permission policy for the action "choose": who may open the chooser
(`user_has_permission(user, "choose")`) and which rows it offers
(`instances_user_has_permission_for(user, "choose")`). Wagtail's own image and
document choosers ask the same question of their collection policies.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.permissions import policy_registry

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


CHOOSE = "choose"


class ChoosablePermissionPolicy(ModelPermissionPolicy):
    """Model permissions, plus the action "choose" (pick an object in a chooser).

    `choose_permissions` names the permissions ("app_label.codename") that allow
    choosing; by default the model's own add, change or view permission, so a
    role that cannot see a model in its menu cannot list it in a chooser either."""

    def __init__(self, model, choose_permissions=None):
        super().__init__(model)
        self.choose_permissions = tuple(choose_permissions or ())

    def choose_permission_names(self):
        return self.choose_permissions or tuple(
            self._get_permission_name(action) for action in ("add", "change", "view"))

    def user_may_choose(self, user) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or any(
            user.has_perm(name) for name in self.choose_permission_names())

    def user_has_permission(self, user, action):
        if action == CHOOSE:
            return self.user_may_choose(user)
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a != CHOOSE])


class ScopedPermissionPolicy(ChoosablePermissionPolicy):
    """Model permissions (what a role may do) narrowed to the rows in its scope.

    `choosable` (user -> QuerySet) is what a chooser offers; by default the scope."""

    def __init__(self, model, scope, choosable=None, choose_permissions=None):
        super().__init__(model, choose_permissions=choose_permissions)
        self.scope = scope
        self.choosable = choosable or scope

    def rows_for(self, user, actions):
        return self.choosable(user) if set(actions) == {CHOOSE} else self.scope(user)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.rows_for(user, actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.user_can_reach(
            user, instance, [action])

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self.user_can_reach(
            user, instance, actions)

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)

    def user_can_reach(self, user, instance, actions=("change",)) -> bool:
        if instance is None or instance.pk is None:
            return True
        return self.rows_for(user, actions).filter(pk=instance.pk).exists()

    def user_can_reach_pk(self, user, pk) -> bool:
        try:
            return self.scope(user).filter(pk=pk).exists()
        except (ValueError, TypeError):
            return False


def choosable_for_user(user, model) -> QuerySet:
    """The rows of `model` a chooser may offer `user`: none without the right to
    choose, else the rows its registered permission policy allows."""
    policy = policy_registry.get_by_type(model)
    if not policy.user_has_permission(user, CHOOSE):
        return model._default_manager.none()
    return policy.instances_user_has_permission_for(user, CHOOSE)


def user_may_choose(user, model) -> bool:
    return policy_registry.get_by_type(model).user_has_permission(user, CHOOSE)


# --- Images and documents ---------------------------------------------------------------------


def image_in_public_use(image) -> bool:
    """Whether a shop, event or article row shows the image: those rows are what the
    public site shows (a draft's images wait in its revision), so changing the file
    would change the public page without approval."""
    from directory.shops.models import ShopImage

    return (ShopImage.objects.filter(image_id=image.pk).exists()
            or Event.objects.filter(image_id=image.pk).exists()
            or Article.objects.filter(image_id=image.pk).exists())


class OwnImagesPermissionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's image policy (collection permissions, and "add" lets a user change
    their own uploads), with a shop owner confined to the images they uploaded
    themselves, in every view, chooser and the admin API alike; and an image a
    shop, event or article shows is frozen for them: a new picture is a new upload
    that the shop's draft references and the secretariat approves."""

    def _confined(self, user) -> bool:
        from directory.shops.owner_admin import is_shop_owner_only

        return is_shop_owner_only(user)

    def instances_user_has_any_permission_for(self, user, actions):
        images = super().instances_user_has_any_permission_for(user, actions)
        if self._confined(user):
            images = images.filter(uploaded_by_user=user)
        return images

    def _owner_may(self, user, actions, instance) -> bool:
        if instance.uploaded_by_user_id != user.pk:
            return False
        if set(actions) & {"change", "delete"} and image_in_public_use(instance):
            actions = [action for action in actions if action not in ("change", "delete")]
            return bool(actions) and super().user_has_any_permission_for_instance(
                user, actions, instance)
        return True

    def user_has_permission_for_instance(self, user, action, instance):
        if self._confined(user) and not self._owner_may(user, [action], instance):
            return False
        return super().user_has_permission_for_instance(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if self._confined(user) and not self._owner_may(user, actions, instance):
            return False
        return super().user_has_any_permission_for_instance(user, actions, instance)


def images_choosable_by_user(user) -> QuerySet:
    from wagtail.images import get_image_model

    return choosable_for_user(user, get_image_model())


def documents_choosable_by_user(user) -> QuerySet:
    from wagtail.documents import get_document_model

    return choosable_for_user(user, get_document_model())


# --- Log entries (site history report, object history) ---------------------------------------


def log_entries_in_scope(entries, user):
    """Wagtail shows a log entry to anyone holding a permission on its content type
    (`viewable_by_user`): the site history report would list every shop's and every
    event's title and editor to any owner or municipal staff. Entries of shops,
    events and articles are kept only for rows in the user's scope."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    for model, scope in SCOPES.items():
        if _sees_everything(user, model):
            continue
        reachable = scope(user).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        entries = entries.exclude(Q(content_type=ContentType.objects.get_for_model(model))
                                  & ~Q(object_id__in=reachable))
    return entries


def scope_log_entries():
    """Narrow Wagtail's `viewable_by_user` for snippet log entries to the scopes above
    (Wagtail offers no hook for it); called once from directory/shops/wagtail_hooks.py."""
    from wagtail.models.audit_log import BaseLogEntryManager, ModelLogEntry

    original = BaseLogEntryManager.viewable_by_user
    if getattr(original, "scoped", False):
        return

    def viewable_by_user(self, user):
        entries = original(self, user)
        if issubclass(self.model, ModelLogEntry) and not user.is_superuser:
            entries = log_entries_in_scope(entries, user)
        return entries

    viewable_by_user.scoped = True
    BaseLogEntryManager.viewable_by_user = viewable_by_user


def scope_workflow_report_requesters():
    """The workflow report's "requested by" filter lists everyone who ever submitted
    anything (shop owners' e-mail addresses) to any user who may open the report (the
    editor). Offer only requesters of workflows on rows the user can reach: pages for
    everyone who may open it, and shops, events and articles in the user's scope."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast
    from wagtail.admin.views.reports.workflows import WorkflowReportFilterSet
    from wagtail.models import Page, WorkflowState

    field = WorkflowReportFilterSet.base_filters["requested_by"]
    if getattr(field.queryset, "scoped", False):
        return

    def requesters(request):
        user = request.user
        states = WorkflowState.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page))
        for model, scope in SCOPES.items():
            reachable = scope(user).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
            states = states | WorkflowState.objects.filter(
                base_content_type=ContentType.objects.get_for_model(model),
                object_id__in=reachable)
        user_model = get_user_model()
        return user_model.objects.filter(
            pk__in=states.values("requested_by")).order_by(user_model.USERNAME_FIELD)

    requesters.scoped = True
    field.queryset = requesters

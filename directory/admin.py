"""Back-office building blocks shared by the apps' wagtail_hooks.py."""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import URLPattern
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import SnippetViewSet

from directory.access import choosable_for_user, user_may_choose
from directory.text import search_terms

# --- Choosers: every snippet chooser asks the model's permission policy ----------------------


class PolicyChooserMixin:
    """A chooser view that answers 403 to a user without the right to choose the
    model (directory.access: the policy's "choose" action) and offers, finds by id
    and returns only the rows the policy allows. Wagtail's own chooser views check
    nothing but access to the admin."""

    def dispatch(self, request, *args, **kwargs):
        if not user_may_choose(request.user, self.model_class):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def choosable(self):
        return choosable_for_user(self.request.user, self.model_class)

    def can_create(self):
        return False  # no object is created from a chooser in this back office


class PolicyChooseView(PolicyChooserMixin, ChooseView):
    def get_object_list(self):
        return self.choosable()


class PolicyChooseResultsView(PolicyChooserMixin, ChooseResultsView):
    def get_object_list(self):
        return self.choosable()


class PolicyChosenView(PolicyChooserMixin, SnippetChosenView):
    def get_object(self, pk):
        try:
            return self.choosable().get(pk=pk)
        except (ValueError, TypeError, ValidationError) as error:
            raise Http404 from error


class PolicyChosenMultipleView(PolicyChooserMixin, SnippetChosenMultipleView):
    def get_objects(self, pks):
        try:
            return list(self.choosable().filter(pk__in=pks))
        except (ValueError, TypeError, ValidationError) as error:
            raise Http404 from error


class PolicyCreateView(PolicyChooserMixin, SnippetCreateView):
    """Refused (403): creating from the chooser is off (can_create)."""


class PolicyChooserViewSet(SnippetChooserViewSet):
    choose_view_class = PolicyChooseView
    choose_results_view_class = PolicyChooseResultsView
    chosen_view_class = PolicyChosenView
    chosen_multiple_view_class = PolicyChosenMultipleView
    create_view_class = PolicyCreateView
    create_action_label = None


class MediaChooserGuard:
    """For Wagtail's image and document chooser views: 403 to a user without the
    right to choose the model (its collection policy's "choose" action in any
    collection); Wagtail's own views answer such a user with an empty modal."""

    def dispatch(self, request, *args, **kwargs):
        if not user_may_choose(request.user, self.model_class):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def guard_media_chooser(viewset):
    """Put MediaChooserGuard in front of each view class of Wagtail's image or document
    chooser viewset (its documented view-class attributes), before its URLs are built."""
    for attribute in ("choose_view_class", "choose_results_view_class", "chosen_view_class",
                      "chosen_multiple_view_class"):
        view_class = getattr(viewset, attribute)
        if not issubclass(view_class, MediaChooserGuard):
            setattr(viewset, attribute,
                    type(f"Guarded{view_class.__name__}", (MediaChooserGuard, view_class), {}))


class PortalSnippetViewSet(SnippetViewSet):
    """The base of every snippet viewset here: its chooser goes through the model's
    permission policy (tests/directory/test_choosers.py checks that every registered
    snippet uses it)."""

    chooser_viewset_class = PolicyChooserViewSet


class ScopedSnippetViewSet(PortalSnippetViewSet):
    """A snippet viewset whose every object URL (edit, history, revisions,
    compare, preview, workflow actions, usage, delete, lock…) answers 404 when
    the object is outside the user's scope, and whose listing shows only rows
    in scope. Wagtail's own views check model permissions; this adds the row
    check in one place instead of in each view."""

    #: a directory.access function: user -> QuerySet of reachable rows
    scope = None

    def get_queryset(self, request):
        return type(self).scope(request.user)

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        return [self._guard(pattern) for pattern in patterns]

    def _guard(self, pattern):
        if not isinstance(pattern, URLPattern) or "<" not in str(pattern.pattern):
            return pattern
        view = pattern.callback
        scope = type(self).scope
        model = self.model

        @wraps(view)
        def guarded(request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is not None:
                try:
                    reachable = scope(request.user).filter(pk=pk).exists()
                except (ValueError, TypeError):
                    reachable = False
                if not reachable:
                    raise Http404
                if request.method == "POST":
                    # Serialise writes to one object (the lock is held to the end of
                    # the request): of two reviewers approving at once, the second
                    # finds the workflow finished and is told so; published once.
                    with transaction.atomic():
                        list(model._default_manager.select_for_update()
                             .filter(pk=pk).values_list("pk", flat=True))
                        return view(request, *args, **kwargs)
            return view(request, *args, **kwargs)

        pattern.callback = guarded
        return pattern


class NormalisedSearchIndexViewMixin:
    """Admin search through the normalised search text (directory.text), the
    same folding the public search uses: ｶﾌｪ, かふぇ and カフェ find the same rows."""

    search_text_field = "search_text"

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        for term in search_terms(self.search_query):
            queryset = queryset.filter(**{f"{self.search_text_field}__contains": term})
        return queryset

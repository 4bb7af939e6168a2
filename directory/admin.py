"""Back-office building blocks shared by the apps' wagtail_hooks.py."""

from functools import wraps

from django.db import transaction
from django.http import Http404
from django.urls import URLPattern
from wagtail.snippets.views.snippets import SnippetViewSet

from directory.text import search_terms


class ScopedSnippetViewSet(SnippetViewSet):
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

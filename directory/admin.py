"""Back-office building blocks shared by the apps' wagtail_hooks.py."""

from functools import wraps

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

"""Public pages for ふぁみなび articles: list and detail."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from config.frontend_cache import detail_cache_headers
from directory.faminavi import selectors
from directory.fragments import cached_fragments
from directory.shops.forms import FastSelect
from directory.shops.selectors import municipality_choices

PAGE_SIZE = 20


class ArticleFilterForm(forms.Form):
    """An unknown area, municipality or genre code answers 400 with the reason, as on
    the shop search."""

    area = forms.ChoiceField(label=_("Area"), required=False, widget=FastSelect)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False, widget=FastSelect)
    genre = forms.ChoiceField(label=_("Genre"), required=False, widget=FastSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All areas")), *selectors.article_area_choices()]
        self.fields["municipality"].choices = [
            ("", _("All municipalities")), *municipality_choices()
        ]
        self.fields["genre"].choices = [
            ("", _("All genres")), *selectors.article_genre_choices()
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "p-form__control"


@require_safe
def article_list(request):
    form = ArticleFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "faminavi/article_list.html", {"form": form}, status=400)
    articles = selectors.article_list(
        area_code=form.cleaned_data["area"] or None,
        municipality_code=form.cleaned_data["municipality"] or None,
        genre_code=form.cleaned_data["genre"] or None, prefetch=False,
    )
    paginator = Paginator(articles, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(request, "faminavi/article_list.html", {
        "form": form,
        "page_obj": page_obj,
        "paginator": paginator,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1),
        "articles": page_obj.object_list,
        # Each card rendered once per version of its article (directory/fragments.py);
        # areas and genres are read only for the cards rendered now.
        "cards": cached_fragments(list(page_obj.object_list),
                                  "faminavi/includes/article_card.html", name="article",
                                  prepare=selectors.article_cards_prefetch),
    })


@require_safe
def article_detail(request, pk: int):
    article = selectors.article_get_public(pk=pk)
    if article is None:
        raise Http404(_("No faminavi article found."))
    return detail_cache_headers(
        render(request, "faminavi/article_detail.html", {"article": article, "is_preview": False}),
        request)

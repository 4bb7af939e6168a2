"""Public pages of the shop directory: search (list) and detail.

Views stay thin: the form validates the query string, selectors read.
"""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from directory.shops import selectors

PAGE_SIZE = 20


class ShopSearchForm(forms.Form):
    """The query string of the shop search.

    An unknown municipality, programme or genre code is a client error: the
    page answers 400 and says which choice it did not recognise, rather than
    silently showing unfiltered results that look filtered.
    """

    keyword = forms.CharField(
        label=_("Keyword"), required=False, strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Shop name, address or benefit. Separate words with spaces."),
    )
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    programme = forms.ChoiceField(label=_("Card"), required=False)
    genre = forms.ChoiceField(label=_("Genre"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [
            ("", _("All municipalities")), *selectors.municipality_choices()
        ]
        self.fields["programme"].choices = [
            ("", _("All cards")), *selectors.programme_choices()
        ]
        self.fields["genre"].choices = [("", _("All genres")), *selectors.shop_genre_choices()]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", f"p-form__control p-form__control--{name}")

    @property
    def has_filters(self) -> bool:
        """Whether a municipality, card or genre narrows the search (not the keyword)."""
        return self.is_valid() and any(
            self.cleaned_data[name] for name in ("municipality", "programme", "genre")
        )


@require_safe
def shop_list(request):
    form = ShopSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "shops/shop_list.html", {"form": form}, status=400)
    shops = selectors.shop_search(
        keyword=form.cleaned_data["keyword"],
        municipality_code=form.cleaned_data["municipality"] or None,
        programme_code=form.cleaned_data["programme"] or None,
        genre_code=form.cleaned_data["genre"] or None,
    )
    paginator = Paginator(shops, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(request, "shops/shop_list.html", {
        "form": form,
        "page_obj": page_obj,
        "paginator": paginator,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1),
        "shops": page_obj.object_list,
    })


@require_safe
def shop_detail(request, pk: int):
    shop = selectors.shop_get_public(pk=pk)
    if shop is None:
        raise Http404(_("No sponsor shop found."))
    return render(request, "shops/shop_detail.html", {
        "shop": shop,
        "chain": selectors.shop_chain_for(shop=shop),
        "is_preview": False,
    })

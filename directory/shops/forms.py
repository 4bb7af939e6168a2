"""The query string of the public shop search, validated.

Every condition is a GET parameter, so a search is a URL that can be shared:

    /shops/?keyword=カフェ&area=osaka-city&municipality=271004&programme=maido
           &genre=cafe&genre=restaurant&benefit_type=discount
           &facility=nursing-room&facility=diaper-table&nationwide=1
           &lat=34.694&lng=135.502&radius=5&chain=123&page=2

An unknown code, an out-of-range position or distance, or an absurd keyword is
a client error: the page answers 400 and says in Japanese what to fix, rather
than silently showing results that look filtered. (A bad page number is not:
the paginator shows the nearest page.)
"""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from directory.shops import selectors
from directory.shops.geo import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, MIN_RADIUS_KM, Origin
from directory.shops.selectors import ShopQuery
from directory.text import search_terms

KEYWORD_MAX_LENGTH = 100
RADIUS_CHOICES_KM = (1, 2, 3, 5, 10, 20, 50)


class FastSelect(forms.Select):
    """Django's <select>, written in Python instead of one template per <option>.

    The same HTML (attributes, optgroups, `selected`), at a fraction of the
    cost: the search form has some 70 options, and rendering them through
    widget templates was a quarter of the page's CPU time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html("<select name=\"{}\"{}>", widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html('<option value="{}"{}>{}</option>', option["value"],
                            flatatt(option["attrs"]), option["label"])
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped above


def _km(value: float) -> str:
    """5.0 → "5", 2.5 → "2.5" (the form of the radius in URLs and <option>s)."""
    return f"{value:g}"


@dataclass(frozen=True)
class Suggestion:
    """A link that relaxes an empty search (and, if known, how many shops it finds)."""

    label: str
    url: str
    count: int = 0
    more: bool = False

    @property
    def count_label(self) -> str:
        return count_label(self.count, self.more)


class ShopSearchForm(forms.Form):
    keyword = forms.CharField(
        label=_("Keyword"), required=False, strip=True, max_length=KEYWORD_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "enterkeyhint": "search"}),
        help_text=_("Shop name, address or benefit. Separate words with spaces."),
        error_messages={
            "max_length": _(
                "Enter a keyword of at most %(limit_value)d characters (it has %(show_value)d)."),
            "null_characters_not_allowed": _("The keyword contains a character that cannot be "
                                             "used. Please type it again."),
        },
    )
    area = forms.ChoiceField(label=_("Area"), required=False, widget=FastSelect)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False, widget=FastSelect)
    programme = forms.ChoiceField(label=_("Card"), required=False, widget=FastSelect)
    genre = forms.MultipleChoiceField(
        label=_("Genre"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Shops in any of the genres you tick."),
    )
    benefit_type = forms.ChoiceField(label=_("Type of benefit"), required=False,
                                     widget=FastSelect)
    facility = forms.MultipleChoiceField(
        label=_("Facilities for families"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Shops with every facility you tick."),
    )
    nationwide = forms.BooleanField(
        label=_("Only shops that accept passports from every prefecture"), required=False,
    )
    lat = forms.FloatField(label=_("Latitude of your position"), required=False,
                           min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(label=_("Longitude of your position"), required=False,
                           min_value=-180, max_value=180, widget=forms.HiddenInput)
    radius = forms.FloatField(
        label=_("Distance"), required=False, min_value=MIN_RADIUS_KM, max_value=MAX_RADIUS_KM,
        initial=_km(DEFAULT_RADIUS_KM), widget=FastSelect,
    )
    chain = forms.IntegerField(label=_("Chain"), required=False, min_value=1,
                               max_value=2**53, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("radius"):
            # A bound form shows its data, not `initial`: default the distance here.
            self.data = self.data.copy()
            self.data["radius"] = _km(DEFAULT_RADIUS_KM)
        masters = selectors.search_masters()
        self.masters = masters
        self._areas = {area.code: area for area in masters.areas}
        self._municipalities = {m.code: m for m in masters.municipalities}
        self._programmes = {p.code: p for p in masters.programmes}
        self._genres = {g.code: g for g in masters.genres}
        self._benefit_types = {b.code: b for b in masters.benefit_types}
        self._facilities = {f.code: f for f in masters.facilities}
        self.chain_head = None

        groups: dict[str, list[tuple[str, str]]] = {}
        for municipality in masters.municipalities:
            groups.setdefault(municipality.area.display_name, []).append(
                (municipality.code, municipality.display_name))
        fields = self.fields
        fields["area"].choices = [("", _("All areas")),
                                  *((a.code, a.display_name) for a in masters.areas)]
        fields["municipality"].choices = [("", _("All municipalities")), *groups.items()]
        fields["programme"].choices = [("", _("All cards")),
                                       *((p.code, p.display_name) for p in masters.programmes)]
        fields["genre"].choices = [(g.code, g.display_name) for g in masters.genres]
        fields["benefit_type"].choices = [("", _("All types")),
                                          *((b.code, b.display_name) for b in masters.benefit_types)]
        fields["facility"].choices = [(f.code, f.display_name) for f in masters.facilities]
        radius_choices = [(_km(km), f"{km}km") for km in RADIUS_CHOICES_KM]
        asked = self.data.get("radius") if self.is_bound else None
        if asked and asked not in dict(radius_choices):
            radius_choices.append((asked, f"{asked}km"))  # still validated as a number
        fields["radius"].widget.choices = radius_choices
        for name, field in fields.items():
            if isinstance(field.widget, (forms.Select, forms.TextInput)):
                field.widget.attrs.setdefault("class", f"p-form__control p-form__control--{name}")

    # --- validation -------------------------------------------------------------

    def clean(self):
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None) and not (self.has_error("lat") or self.has_error("lng")):
            self.add_error("lat" if lat is None else "lng", _(
                "Give both the latitude and the longitude of your position, or neither."))
        area, municipality = data.get("area"), data.get("municipality")
        if area and municipality and self._municipalities[municipality].area.code != area:
            self.add_error("municipality", _(
                "%(municipality)s is not in the %(area)s area. Choose “All areas” or a "
                "municipality in that area."
            ) % {"municipality": self._municipalities[municipality].display_name,
                 "area": self._areas[area].display_name})
        chain = data.get("chain")
        if chain is not None:
            self.chain_head = selectors.shop_chain_head_public(pk=chain)
            if self.chain_head is None:
                self.add_error("chain", _("This chain is not (or no longer) listed."))
        return data

    # --- the validated search -----------------------------------------------------

    @property
    def has_location(self) -> bool:
        return self.is_valid() and self.cleaned_data["lat"] is not None

    @property
    def radius_km(self) -> float:
        radius = self.cleaned_data.get("radius") if self.is_valid() else None
        return radius or DEFAULT_RADIUS_KM

    @property
    def has_filters(self) -> bool:
        """Whether anything but the keyword narrows the search."""
        if not self.is_valid():
            return False
        data = self.cleaned_data
        return data["lat"] is not None or data["chain"] is not None or any(
            data[name] for name in ("area", "municipality", "programme", "genre",
                                    "benefit_type", "facility", "nationwide")
        )

    @property
    def has_detailed_filters(self) -> bool:
        """Whether a condition inside "more conditions" is chosen (it then opens)."""
        return self.is_bound and any(
            self.data.get(name) for name in ("genre", "benefit_type", "facility", "nationwide")
        )

    def to_query(self) -> ShopQuery:
        data = self.cleaned_data
        municipality_ids: frozenset[int] = frozenset()
        if data["municipality"]:
            municipality_ids = frozenset({self._municipalities[data["municipality"]].pk})
        elif data["area"]:
            municipality_ids = frozenset(
                m.pk for m in self.masters.municipalities if m.area.code == data["area"])
        origin = None
        if data["lat"] is not None and data["lng"] is not None:
            origin = Origin(data["lat"], data["lng"], self.radius_km)
        return ShopQuery(
            keyword=data["keyword"],
            programme_id=self._programmes[data["programme"]].pk if data["programme"] else None,
            genre_ids=frozenset(self._genres[code].pk for code in data["genre"]),
            benefit_type_id=(self._benefit_types[data["benefit_type"]].pk
                             if data["benefit_type"] else None),
            facility_ids=frozenset(self._facilities[code].pk for code in data["facility"]),
            municipality_ids=municipality_ids,
            nationwide_only=data["nationwide"],
            chain_head_id=self.chain_head.pk if self.chain_head else None,
            origin=origin,
        )

    # --- links ------------------------------------------------------------------------

    def params(self) -> list[tuple[str, str]]:
        """The validated search as query-string pairs, in field order (no page)."""
        data = self.cleaned_data
        pairs: list[tuple[str, str]] = []
        if data["keyword"]:
            pairs.append(("keyword", data["keyword"]))
        for name in ("area", "municipality", "programme"):
            if data[name]:
                pairs.append((name, data[name]))
        pairs.extend(("genre", code) for code in data["genre"])
        if data["benefit_type"]:
            pairs.append(("benefit_type", data["benefit_type"]))
        pairs.extend(("facility", code) for code in data["facility"])
        if data["nationwide"]:
            pairs.append(("nationwide", "1"))
        if data["lat"] is not None and data["lng"] is not None:
            pairs += [("lat", repr(data["lat"])), ("lng", repr(data["lng"])),
                      ("radius", _km(self.radius_km))]
        if data["chain"] is not None and self.chain_head is not None:
            pairs.append(("chain", str(data["chain"])))
        return pairs

    @staticmethod
    def url_for(pairs) -> str:
        base, pairs = reverse("shops:list"), list(pairs)
        return f"{base}?{urlencode(pairs)}" if pairs else base

    def url_without(self, *names: str, value: str | None = None) -> str:
        """This search without the named parameters (or only the one value of one)."""
        return self.url_for(
            (name, current) for name, current in self.params()
            if not (name in names and (value is None or current == value))
        )

    def location_removal_url(self) -> str:
        return self.url_without("lat", "lng", "radius")

    def url_without_chain(self) -> str:
        return self.url_without("chain")

    # --- an empty result: what to try instead ----------------------------------------

    def _with(self, name: str, new_value: str) -> str:
        """This search with one single-valued parameter replaced."""
        return self.url_for([(key, new_value) if key == name else (key, value)
                             for key, value in self.params()])

    def relaxations(self) -> list[Suggestion]:
        """A link for each single condition that could be dropped (or widened)."""
        data = self.cleaned_data
        options: list[Suggestion] = []
        terms = data["keyword"].split()
        if len(terms) > 1:
            for index, term in enumerate(terms):
                rest = " ".join(terms[:index] + terms[index + 1:])
                options.append(Suggestion(_("Without the word “%(term)s”") % {"term": term},
                                          self._with("keyword", rest)))
        elif search_terms(data["keyword"]):
            options.append(Suggestion(
                _("Without the keyword “%(keyword)s”") % {"keyword": data["keyword"]},
                self.url_without("keyword")))
        if data["municipality"]:
            options.append(Suggestion(_("In every municipality instead of %(name)s") % {
                "name": self._municipalities[data["municipality"]].display_name},
                self.url_without("municipality")))
        elif data["area"]:
            options.append(Suggestion(_("In every area instead of %(name)s") % {
                "name": self._areas[data["area"]].display_name}, self.url_without("area")))
        if data["programme"]:
            options.append(Suggestion(_("For every card, not only %(name)s") % {
                "name": self._programmes[data["programme"]].display_name},
                self.url_without("programme")))
        if data["genre"]:
            options.append(Suggestion(_("In every genre"), self.url_without("genre")))
        if data["benefit_type"]:
            options.append(Suggestion(_("With any type of benefit, not only %(name)s") % {
                "name": self._benefit_types[data["benefit_type"]].display_name},
                self.url_without("benefit_type")))
        for code in data["facility"]:
            options.append(Suggestion(_("Without the facility “%(name)s”") % {
                "name": self._facilities[code].display_name},
                self.url_without("facility", value=code)))
        if data["nationwide"]:
            options.append(Suggestion(_("Also shops that accept only this prefecture's passports"),
                                      self.url_without("nationwide")))
        if self.has_location:
            wider = next((km for km in RADIUS_CHOICES_KM if km > self.radius_km), None)
            if wider is not None:
                options.append(Suggestion(_("Within %(km)s km of your position") % {"km": wider},
                                          self._with("radius", _km(wider))))
            options.append(Suggestion(_("Anywhere, not only near your position"),
                                      self.location_removal_url()))
        if self.chain_head is not None:
            options.append(Suggestion(_("Every shop, not only the %(name)s chain") % {
                "name": self.chain_head.name}, self.url_without("chain")))
        return options

    def suggestions(self) -> dict:
        """What an empty result page offers: a link per condition that searches
        without it (no queries: counting each would cost a search apiece), the other
        municipalities of the chosen municipality's area that do have matching shops,
        with their counts (one query), and a link that clears every condition."""
        relaxed = self.relaxations()
        nearby = []
        code = self.cleaned_data["municipality"]
        if code:
            chosen = self._municipalities[code]
            neighbours = [m for m in self.masters.municipalities
                          if m.area_id == chosen.area_id and m.pk != chosen.pk]
            counts = selectors.shop_counts_by_municipality(
                replace(self.to_query(), municipality_ids=frozenset()),
                [m.pk for m in neighbours])
            for municipality in neighbours:
                if counts.get(municipality.pk):
                    nearby.append(Suggestion(municipality.display_name,
                                             self._with("municipality", municipality.code),
                                             counts[municipality.pk]))
        return {
            "relaxed": relaxed,
            "nearby": nearby,
            "area_name": self._municipalities[code].area.display_name if code else "",
            "clear_url": reverse("shops:list") if self.has_filters else "",
        }


def count_label(count: int, more: bool) -> str:
    """"12件" or "1,000件以上"."""
    if more:
        return ngettext("More than %(count)s shop", "More than %(count)s shops", count) % {
            "count": f"{count:,}"}
    return ngettext("%(count)s shop", "%(count)s shops", count) % {"count": f"{count:,}"}

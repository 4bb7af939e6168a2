"""Public shop reads: the list search (the web search's filters and selector) and detail.

    GET /api/v1/shops           協賛店一覧検索 (shop list search)
    GET /api/v1/shops/{id}      協賛店検索 (one shop, for the detail display)

The query string is checked twice: by the input serializer (types, ranges,
unknown parameters) and by the web search's own form
(directory.shops.forms.ShopSearchForm: master codes, area ↔ municipality,
chain), whose `to_query()` builds the ShopQuery that the web search's
selector (directory.shops.selectors.ShopResults) runs. So the API and the
web page always search the same way.
"""

from __future__ import annotations

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from api.fields import CodeField, FiniteFloatField
from api.serializers import (
    MasterSerializer,
    MunicipalitySerializer,
    PageInputSerializer,
    ProgrammeSerializer,
    ShopRefSerializer,
    page_links,
    page_serializer,
)
from api.views import PublicReadView
from directory.shops import selectors
from directory.shops.forms import KEYWORD_MAX_LENGTH, ShopSearchForm
from directory.shops.geo import MAX_RADIUS_KM, MIN_RADIUS_KM

TAG = "shops"


# --- input --------------------------------------------------------------------------------


def form_errors_to_drf(form) -> dict:
    """A Django form's errors as DRF error detail, keeping each error's code."""
    errors = {}
    for field, items in form.errors.as_data().items():
        key = "non_field_errors" if field == "__all__" else field
        errors[key] = [ErrorDetail(" ".join(str(m) for m in item.messages),
                                   code=item.code or "invalid") for item in items]
    return errors


class ShopSearchInputSerializer(PageInputSerializer):
    keyword = serializers.CharField(required=False, allow_blank=True,
                                    max_length=KEYWORD_MAX_LENGTH,
                                    help_text="Shop name, address or benefit; words separated "
                                              "by spaces must all match.")
    area = CodeField(required=False, help_text="Area code (every municipality of the area).")
    municipality = CodeField(required=False, max_length=6,
                             help_text="Six-digit local government code.")
    programme = CodeField(required=False, help_text="Programme code (maido, enjoy).")
    genre = serializers.ListField(child=CodeField(), required=False, max_length=50,
                                  help_text="Genre codes: shops in any of them.")
    benefit_type = CodeField(required=False)
    facility = serializers.ListField(child=CodeField(), required=False, max_length=50,
                                     help_text="Facility codes: shops with all of them.")
    nationwide = serializers.BooleanField(required=False, default=False,
                                          help_text="Only shops taking every prefecture's card.")
    lat = FiniteFloatField(required=False, min_value=-90, max_value=90,
                           help_text="Latitude of the searcher (near-me search).")
    lng = FiniteFloatField(required=False, min_value=-180, max_value=180)
    radius = FiniteFloatField(required=False, min_value=MIN_RADIUS_KM, max_value=MAX_RADIUS_KM,
                              help_text="Distance in km (default 5).")
    chain = serializers.IntegerField(required=False, min_value=1, max_value=2**53,
                                     help_text="A chain head's id: the chain's shops.")

    def validate(self, attrs):
        data = QueryDict(mutable=True)
        for name in ("keyword", "area", "municipality", "programme", "benefit_type"):
            if attrs.get(name):
                data[name] = attrs[name]
        data.setlist("genre", attrs.get("genre") or [])
        data.setlist("facility", attrs.get("facility") or [])
        if attrs.get("nationwide"):
            data["nationwide"] = "1"
        for name in ("lat", "lng", "radius", "chain"):
            if attrs.get(name) is not None:
                data[name] = repr(attrs[name])
        form = ShopSearchForm(data)
        if not form.is_valid():
            raise ValidationError(form_errors_to_drf(form))
        attrs["query"] = form.to_query()
        return attrs


# --- output -------------------------------------------------------------------------------


class BenefitSerializer(serializers.Serializer):
    programme = ProgrammeSerializer()
    title = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)


class ShopListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_kana = serializers.CharField(allow_blank=True)
    municipality = MunicipalitySerializer()
    postcode = serializers.CharField()
    address = serializers.CharField()
    building = serializers.CharField(allow_blank=True)
    full_address = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    distance_km = serializers.SerializerMethodField()
    is_chain = serializers.BooleanField(help_text="Legacy CHAINFLG.")
    is_chain_head = serializers.BooleanField()
    chain_head_id = serializers.IntegerField(source="parent_id", allow_null=True)
    nationwide_mutual_use = serializers.BooleanField()
    benefits = BenefitSerializer(many=True, source="benefits.all")
    genres = MasterSerializer(many=True, source="genres.all")
    facilities = MasterSerializer(many=True, source="facilities.all")
    web_url = serializers.CharField(source="get_absolute_url")
    updated_at = serializers.DateTimeField()

    def get_distance_km(self, shop) -> float | None:
        distance = getattr(shop, "distance_km", None)
        return round(distance, 3) if distance is not None else None

    def to_representation(self, shop) -> dict:
        """The fields above, built directly: DRF's generic nested serializers cost
        ~160 field calls per page of 20 shops. The declared fields still define the
        schema, and every test response is validated against it."""
        municipality = shop.municipality
        return {
            "id": shop.pk,
            "name": shop.name,
            "name_kana": shop.name_kana,
            "municipality": {"code": municipality.code, "name": municipality.name},
            "postcode": shop.postcode,
            "address": shop.address,
            "building": shop.building,
            "full_address": shop.full_address,
            "phone": shop.phone,
            "latitude": shop.latitude,
            "longitude": shop.longitude,
            "distance_km": self.get_distance_km(shop),
            "is_chain": shop.is_chain,
            "is_chain_head": shop.is_chain_head,
            "chain_head_id": shop.parent_id,
            "nationwide_mutual_use": shop.nationwide_mutual_use,
            "benefits": [{
                "programme": {"code": benefit.programme.code, "name": benefit.programme.name,
                              "kind": benefit.programme.kind,
                              "legacy_group": benefit.programme.legacy_group},
                "title": benefit.title,
                "detail": benefit.detail,
            } for benefit in shop.benefits.all()],
            "genres": [{"code": genre.code, "name": genre.name} for genre in shop.genres.all()],
            "facilities": [{"code": facility.code, "name": facility.name}
                           for facility in shop.facilities.all()],
            "web_url": shop.get_absolute_url(),
            "updated_at": DATETIME.to_representation(shop.updated_at),
        }


DATETIME = serializers.DateTimeField()


def shop_list_item(row: dict) -> dict:
    """A ShopListItemSerializer item from a plain row of selectors.shop_rows."""
    name = row["municipality__name"]
    distance = row["distance_km"]
    return {
        "id": row["id"],
        "name": row["name"],
        "name_kana": row["name_kana"],
        "municipality": {"code": row["municipality__code"], "name": name},
        "postcode": row["postcode"],
        "address": row["address"],
        "building": row["building"],
        "full_address": " ".join(part for part in (name, row["address"], row["building"])
                                 if part),
        "phone": row["phone"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "distance_km": round(distance, 3) if distance is not None else None,
        "is_chain": row["is_chain_head"] or row["parent_id"] is not None,
        "is_chain_head": row["is_chain_head"],
        "chain_head_id": row["parent_id"],
        "nationwide_mutual_use": row["nationwide_mutual_use"],
        "benefits": row["benefits"],
        "genres": row["genres"],
        "facilities": row["facilities"],
        "web_url": _SHOP_URL.format(row["id"]),
        "updated_at": DATETIME.to_representation(row["updated_at"]),
    }


class _ShopUrl:
    """The detail page's path for an id without a reverse() per shop."""

    def format(self, pk: int) -> str:
        from django.urls import reverse

        return reverse("shops:detail", args=[0])[:-2] + f"{int(pk)}/"


_SHOP_URL = _ShopUrl()


class ShopImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    alt_text = serializers.CharField()
    width = serializers.IntegerField(source="image.width")
    height = serializers.IntegerField(source="image.height")

    def get_url(self, shop_image) -> str:
        return shop_image.image.file.url


class ChainSerializer(serializers.Serializer):
    head = ShopRefSerializer(allow_null=True)
    branches = ShopRefSerializer(many=True)
    branches_total = serializers.IntegerField()


class ShopDetailSerializer(ShopListItemSerializer):
    opening_hours = serializers.CharField(allow_blank=True)
    regular_holidays = serializers.CharField(allow_blank=True)
    website = serializers.CharField(source="url", allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    images = ShopImageSerializer(many=True, source="images.all")
    chain = serializers.SerializerMethodField()

    def to_representation(self, shop) -> dict:
        data = super().to_representation(shop)
        data.update({
            "opening_hours": shop.opening_hours,
            "regular_holidays": shop.regular_holidays,
            "website": shop.url,
            "comment": shop.comment,
            "images": ShopImageSerializer(shop.images.all(), many=True).data,
            "chain": self.get_chain(shop),
        })
        return data

    @extend_schema_field(ChainSerializer)
    def get_chain(self, shop) -> dict:
        chain = self.context["chain"]
        head = chain["head"]
        if head is None and chain["head_pk"] == shop.pk:
            head = shop
        return ChainSerializer({
            "head": head, "branches": chain["branches"],
            "branches_total": chain["branches_total"],
        }).data


ShopPageSerializer = page_serializer(ShopListItemSerializer, "ShopPage")


# --- views --------------------------------------------------------------------------------


class ShopListView(PublicReadView):
    @extend_schema(
        operation_id="shops_search", tags=[TAG], summary="Search sponsor shops",
        parameters=[ShopSearchInputSerializer],
        responses={200: ShopPageSerializer},
        extensions={"x-legacy-function": "協賛店一覧検索"},
        description="The web search's filters and order (newest first, or nearest first "
                    "with lat/lng). The count stops at 1,000 (`more` is then true).",
    )
    def get(self, request):
        params = ShopSearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page, page_size = params.validated_data["page"], params.validated_data["page_size"]
        results = selectors.ShopResults(params.validated_data["query"], prefetch=False)
        count = results.count()
        start = (page - 1) * page_size
        # Plain rows, not models: four queries and dicts straight to JSON (the schema is
        # still ShopPageSerializer's; tests validate every answer against it).
        rows = selectors.shop_rows(results.page_ids(start, start + page_size)
                                   if start < count else [])
        following, preceding = page_links(request, page=page, page_size=page_size, count=count)
        return Response({"count": count, "more": results.more, "page": page,
                         "page_size": page_size, "next": following, "previous": preceding,
                         "results": [shop_list_item(row) for row in rows]})


class ShopDetailView(PublicReadView):
    @extend_schema(
        operation_id="shops_detail", tags=[TAG], summary="One published sponsor shop",
        responses={200: ShopDetailSerializer, 404: OpenApiResponse(description="Not published")},
        extensions={"x-legacy-function": "協賛店検索"},
    )
    def get(self, request, pk: int):
        shop = selectors.shop_get_public(pk=pk)
        if shop is None:
            raise Http404(_("No sponsor shop found."))
        chain = selectors.shop_chain_for(shop=shop)
        return Response(ShopDetailSerializer(shop, context={"chain": chain}).data)

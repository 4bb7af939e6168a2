"""The legacy public shop list, for outside consumers of the old endpoint.

    GET /api/legacy/shops?GROUP=1&START=0

GROUP is the programme's legacy number (Programme.legacy_group: 1 child-raising
まいど子でもカード, 2 marriage 縁ジョイパス); START is the offset of the first
shop. The answer is a JSON array of at most LEGACY_PAGE_SIZE shops with the old
field names, in SHOPID order; an empty array means START is past the end.

    SHOPID         legacy id (Shop.legacy_id), or the new id for shops created
                   after the migration (the import moves the id sequence past
                   the highest legacy id, so they never collide)
    SHOPNAME       name
    JUSHO          address (municipality, address, building)
    TEL            phone
    YUBINNO        postcode
    TOKUTENTITLE   the benefit's title in that programme
    TOKUTENDETAIL  the benefit's detail in that programme
    COMMENT        comment
    IDO / KEDO     latitude / longitude (null when unknown)
    CHAINFLG       0 single shop, 1 chain (head or branch)

Only published shops that take part in the programme are listed.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.serializers import InputSerializer
from api.views import PublicReadView
from directory.masters.models import Programme
from directory.shops.models import Shop, ShopBenefit

LEGACY_PAGE_SIZE = 100
MAX_START = 10_000_000


class LegacyShopInputSerializer(InputSerializer):
    GROUP = serializers.IntegerField(min_value=1, max_value=32767,
                                     help_text="1 child-raising, 2 marriage support.")
    START = serializers.IntegerField(required=False, default=0, min_value=0, max_value=MAX_START,
                                     help_text="Offset of the first shop (0-based).")

    def validate_GROUP(self, value):  # noqa: N802 - the legacy parameter's name
        programme = Programme.objects.filter(legacy_group=value).first()
        if programme is None:
            raise ValidationError("Unknown GROUP.", code="invalid_choice")
        self.programme = programme
        return value


class LegacyShopSerializer(serializers.Serializer):
    SHOPID = serializers.IntegerField()
    SHOPNAME = serializers.CharField()
    JUSHO = serializers.CharField()
    TEL = serializers.CharField(allow_blank=True)
    YUBINNO = serializers.CharField()
    TOKUTENTITLE = serializers.CharField(allow_blank=True)
    TOKUTENDETAIL = serializers.CharField(allow_blank=True)
    COMMENT = serializers.CharField(allow_blank=True)
    IDO = serializers.FloatField(allow_null=True)
    KEDO = serializers.FloatField(allow_null=True)
    CHAINFLG = serializers.IntegerField(min_value=0, max_value=1)


def legacy_shop_list(*, programme: Programme, start: int, limit: int) -> list[dict]:
    """Published shops of `programme` in legacy id order, as rows of the old format."""
    shops = (
        Shop.objects.public()
        .filter(Exists(ShopBenefit.objects.filter(shop_id=OuterRef("pk"), programme=programme)))
        .select_related("municipality")
        .prefetch_related(Prefetch("benefits", to_attr="legacy_benefits",
                                   queryset=ShopBenefit.objects.filter(programme=programme)))
        .order_by(F("legacy_id").asc(nulls_last=True), "pk")[start:start + limit]
    )
    rows = []
    for shop in shops:
        benefit = shop.legacy_benefits[0] if shop.legacy_benefits else None
        rows.append({
            "SHOPID": shop.legacy_id or shop.pk,
            "SHOPNAME": shop.name,
            "JUSHO": shop.full_address,
            "TEL": shop.phone,
            "YUBINNO": shop.postcode,
            "TOKUTENTITLE": benefit.title if benefit else "",
            "TOKUTENDETAIL": benefit.detail if benefit else "",
            "COMMENT": shop.comment,
            "IDO": shop.latitude,
            "KEDO": shop.longitude,
            "CHAINFLG": 1 if shop.is_chain else 0,
        })
    return rows


class LegacyShopListView(PublicReadView):
    @extend_schema(
        operation_id="legacy_shops_list", tags=["legacy"],
        summary="Legacy shop list (old field names, GROUP / START)",
        parameters=[LegacyShopInputSerializer],
        responses={200: LegacyShopSerializer(many=True)},
        extensions={"x-legacy-function": "協賛店一覧検索"},
        description=f"At most {LEGACY_PAGE_SIZE} shops from START, in SHOPID order.",
    )
    def get(self, request):
        params = LegacyShopInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = legacy_shop_list(programme=params.programme,
                                start=params.validated_data["START"], limit=LEGACY_PAGE_SIZE)
        return Response(LegacyShopSerializer(rows, many=True).data)

"""News (お知らせ), managed in the CMS as Wagtail pages (cms_pages.NewsPage).

    GET   /api/v1/news                 お知らせ情報検索 (newest first)
    GET   /api/v1/news/{id}            one published news page
    POST  /api/v1/manage/news          お知らせ情報登録・更新 (new news page)
    GET   /api/v1/manage/news/{id}     a news page's latest revision (editors)
    PUT   /api/v1/manage/news/{id}     お知らせ情報登録・更新 (update)

Writes go through Wagtail's page permissions (GroupPagePermission) and the
"事務局承認" moderation workflow, exactly as in the CMS.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from wagtail.models import GroupPagePermission

from api.content_management import WRITE_ERRORS, ManagedSerializerMixin, model_errors
from api.serializers import InputSerializer, PageInputSerializer, page_serializer, paginate
from api.services import content as content_services
from api.views import ApiView, PublicReadView
from cms_pages.models import NewsCategory, NewsPage

TAG = "news"


def news_list(*, category: str | None = None):
    """Published, public news pages, newest first."""
    news = NewsPage.objects.live().public().order_by("-date", "-first_published_at", "-pk")
    if category:
        news = news.filter(category=category)
    return news


def news_get_public(*, pk: int) -> NewsPage | None:
    return NewsPage.objects.live().public().filter(pk=pk).first()


class NewsSearchInputSerializer(PageInputSerializer):
    category = serializers.ChoiceField(choices=NewsCategory.choices, required=False)


class NewsCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class NewsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    date = serializers.DateField()
    category = serializers.SerializerMethodField()
    intro = serializers.CharField(allow_blank=True)
    web_url = serializers.SerializerMethodField()
    first_published_at = serializers.DateTimeField(allow_null=True)
    last_published_at = serializers.DateTimeField(allow_null=True)

    @staticmethod
    def _category(page) -> dict:
        return {"code": page.category, "name": str(page.get_category_display())}

    @extend_schema_field(NewsCategorySerializer)
    def get_category(self, page):
        return self._category(page)

    def get_web_url(self, page) -> str | None:
        return page.get_url()


class NewsDetailSerializer(NewsSerializer):
    body_html = serializers.SerializerMethodField()

    def get_body_html(self, page) -> str:
        return str(page.body.render_as_block()) if page.body else ""


NewsPageSerializer = page_serializer(NewsSerializer, "NewsList")


class NewsListView(PublicReadView):
    @extend_schema(
        operation_id="news_search", tags=[TAG], summary="Search published news",
        parameters=[NewsSearchInputSerializer], responses={200: NewsPageSerializer},
        extensions={"x-legacy-function": "お知らせ情報検索"},
    )
    def get(self, request):
        params = NewsSearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        page = paginate(request, news_list(category=data.get("category")), page=data["page"],
                        page_size=data["page_size"])
        return Response(NewsPageSerializer(page).data)


class NewsDetailView(PublicReadView):
    @extend_schema(operation_id="news_detail", tags=[TAG], summary="One published news page",
                   responses={200: NewsDetailSerializer})
    def get(self, request, pk: int):
        page = news_get_public(pk=pk)
        if page is None:
            raise Http404
        return Response(NewsDetailSerializer(page).data)


# --- registration and update (お知らせ情報登録・更新), through the CMS's page permissions ----------


class PageEditor(BasePermission):
    """Users with any page permission in the CMS (the secretariat, editors)."""

    message = gettext_lazy("Only CMS editors may do this.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or GroupPagePermission.objects.filter(
            group__in=user.groups.all()).exists()


class NewsWriteInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=255)
    slug = serializers.SlugField(max_length=255, required=False, allow_blank=True, default="",
                                 allow_unicode=True,
                                 help_text="The page's address part (generated if empty).")
    date = serializers.DateField(required=False, default=None)
    category = serializers.ChoiceField(choices=NewsCategory.choices, required=False,
                                       default=NewsCategory.NOTICE)
    intro = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=50000, required=False, allow_blank=True,
                                 default="", help_text="Plain text; blank lines separate "
                                                       "paragraphs.")
    send_push = serializers.BooleanField(required=False, default=False)
    publish = serializers.BooleanField(required=False, default=False,
                                       help_text="Publish at once (users who may publish).")
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="Send for approval (workflow 事務局承認).")

    def validate(self, attrs):
        if attrs["date"] is None:
            attrs["date"] = timezone.localdate()
        if not datetime.date(2000, 1, 1) <= attrs["date"] <= datetime.date(2100, 12, 31):
            raise ValidationError({"date": [ErrorDetail(
                _("Enter a date between 2000 and 2100."), code="invalid")]})
        return attrs


class NewsContentSerializer(serializers.Serializer):
    title = serializers.CharField()
    slug = serializers.CharField()
    date = serializers.DateField()
    category = serializers.SerializerMethodField()
    intro = serializers.CharField(allow_blank=True)
    body_html = serializers.SerializerMethodField()
    send_push = serializers.BooleanField()

    @extend_schema_field(NewsCategorySerializer)
    def get_category(self, page):
        return NewsSerializer._category(page)

    def get_body_html(self, page) -> str:
        return str(page.body.render_as_block()) if page.body else ""


class ManagedNewsSerializer(ManagedSerializerMixin):
    web_url = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()

    def get_web_url(self, page) -> str | None:
        return page.get_url() if page.live else None

    @extend_schema_field(NewsContentSerializer)
    def get_content(self, page):
        return NewsContentSerializer(page.get_latest_revision_as_object()).data


def _news_values(data: dict) -> tuple[dict, bool, bool]:
    values = dict(data)
    return values, values.pop("publish"), values.pop("submit")


class ManagedNewsCreateView(ApiView):
    permission_classes = [PageEditor]

    @extend_schema(operation_id="manage_news_create", tags=[TAG],
                   summary="Register a news page (draft, submitted or published)",
                   request=NewsWriteInputSerializer,
                   responses={201: ManagedNewsSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "お知らせ情報登録・更新"})
    def post(self, request):
        data = NewsWriteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values, publish, submit = _news_values(data.validated_data)
        try:
            page = content_services.news_create(user=request.user, data=values,
                                                publish=publish, submit=submit)
        except DjangoValidationError as error:
            raise model_errors(error) from error
        return Response(ManagedNewsSerializer(page).data, status=status.HTTP_201_CREATED)


class ManagedNewsView(ApiView):
    permission_classes = [PageEditor]

    def _page(self, request, pk):
        page = NewsPage.objects.filter(pk=pk).first()
        if page is None or not page.permissions_for_user(request.user).can_edit():
            raise Http404
        return page

    @extend_schema(operation_id="manage_news_read", tags=[TAG],
                   summary="A news page's latest revision and state (CMS editors)",
                   responses={200: ManagedNewsSerializer})
    def get(self, request, pk: int):
        return Response(ManagedNewsSerializer(self._page(request, pk)).data)

    @extend_schema(operation_id="manage_news_update", tags=[TAG],
                   summary="Update a news page (a new revision)",
                   request=NewsWriteInputSerializer,
                   responses={200: ManagedNewsSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "お知らせ情報登録・更新"})
    def put(self, request, pk: int):
        page = self._page(request, pk)
        data = NewsWriteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values, publish, submit = _news_values(data.validated_data)
        try:
            page = content_services.news_update(user=request.user, page=page, data=values,
                                                publish=publish, submit=submit)
        except DjangoValidationError as error:
            raise model_errors(error) from error
        return Response(ManagedNewsSerializer(page).data)

"""ふぁみなび (useful information for families): public search and detail;
registration and update by the secretariat and municipal staff.

    GET   /api/v1/faminavi                お役立ち情報(ふぁみなび)検索
    GET   /api/v1/faminavi/{id}           one published article
    POST  /api/v1/manage/faminavi         お役立ち情報(ふぁみなび)登録・更新 (new)
    GET   /api/v1/manage/faminavi/{id}    an article in the caller's scope, latest revision
    PUT   /api/v1/manage/faminavi/{id}    お役立ち情報(ふぁみなび)登録・更新 (update)

Scope is directory.access.articles_for_user (municipal staff: their municipality).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from wagtail.rich_text import expand_db_html

from api.content_management import (
    WRITE_ERRORS,
    ManagedSerializerMixin,
    managed_response,
    model_errors,
    municipality_in_scope,
    refuse_publish_without_permission,
)
from api.fields import CodeField
from api.permissions import model_permission
from api.serializers import (
    ContentLanguageInputSerializer,
    InputSerializer,
    MasterSerializer,
    MunicipalitySerializer,
    PageInputSerializer,
    content_language_field,
    page_serializer,
    paginate,
)
from api.services import content as content_services
from api.shop_management import codes_to_objects
from api.views import ApiView, PublicReadView
from directory import access
from directory.faminavi import selectors
from directory.faminavi.models import Article
from directory.masters.models import Area, Genre

TAG = "faminavi"


class ArticleSearchInputSerializer(PageInputSerializer):
    lang = content_language_field()
    area = CodeField(required=False, help_text="Area code.")
    genre = CodeField(required=False, help_text="Genre code (a ふぁみなび genre).")

    def validate_area(self, value):
        if value and not Area.objects.filter(code=value).exists():
            raise ValidationError(_("Unknown area code."), code="invalid_choice")
        return value

    def validate_genre(self, value):
        if value and not Genre.objects.filter(code=value, for_articles=True).exists():
            raise ValidationError(_("Unknown genre code."), code="invalid_choice")
        return value


class ArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    areas = MasterSerializer(many=True, source="areas.all")
    genres = MasterSerializer(many=True, source="genres.all")
    municipality = MunicipalitySerializer(allow_null=True)
    website = serializers.CharField(source="url", allow_blank=True)
    web_url = serializers.CharField(source="get_absolute_url")
    updated_at = serializers.DateTimeField()


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.SerializerMethodField()

    def get_body_html(self, article) -> str:
        return expand_db_html(article.body or "")


ArticlePageSerializer = page_serializer(ArticleSerializer, "ArticlePage")


class ArticleListView(PublicReadView):
    @extend_schema(
        operation_id="faminavi_search", tags=[TAG], summary="Search published ふぁみなび articles",
        parameters=[ArticleSearchInputSerializer], responses={200: ArticlePageSerializer},
        extensions={"x-legacy-function": "お役立ち情報(ふぁみなび)検索"},
    )
    def get(self, request):
        params = ArticleSearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        articles = selectors.article_list(area_code=data.get("area") or None,
                                          genre_code=data.get("genre") or None,
                                          language=data["lang"])
        page = paginate(request, articles.order_by("-updated_at", "-pk"), page=data["page"],
                        page_size=data["page_size"])
        return Response(ArticlePageSerializer(page).data)


class ArticleDetailView(PublicReadView):
    @extend_schema(operation_id="faminavi_detail", tags=[TAG],
                   summary="One published ふぁみなび article",
                   parameters=[ContentLanguageInputSerializer],
                   responses={200: ArticleDetailSerializer})
    def get(self, request, pk: int):
        params = ContentLanguageInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        article = selectors.article_get_public(pk=pk, language=params.validated_data["lang"])
        if article is None:
            raise Http404
        return Response(ArticleDetailSerializer(article).data)


# --- registration and update (お役立ち情報(ふぁみなび)登録・更新) ---------------------------------


class ArticleWriteInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                    default="")
    body = serializers.CharField(max_length=50000, help_text="Plain text; blank lines "
                                                             "separate paragraphs.")
    areas = serializers.ListField(child=CodeField(), required=False, default=list,
                                  max_length=50)
    genres = serializers.ListField(child=CodeField(), required=False, default=list,
                                   max_length=50)
    municipality = CodeField(max_length=6, required=False, allow_null=True, default=None,
                             help_text="The owning municipality (municipal staff: their own).")
    website = serializers.URLField(max_length=200, required=False, allow_blank=True,
                                   default="")
    publish = serializers.BooleanField(required=False, default=False,
                                       help_text="Publish at once (the secretariat only).")
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="Send for approval (if a workflow is set).")

    def validate(self, attrs):
        user = self.context["request"].user
        sees_everything = access._sees_everything(user, Article)
        values = {name: attrs[name] for name in ("title", "summary", "body")}
        values["url"] = attrs["website"]
        values["areas"] = codes_to_objects(Area, attrs["areas"], "areas")
        values["genres"] = codes_to_objects(Genre, attrs["genres"], "genres", for_articles=True)
        code = attrs["municipality"]
        if code is None and not sees_everything and user.municipality_id:
            values["municipality"] = user.municipality
        elif code is None:
            values["municipality"] = None
        else:
            values["municipality"] = municipality_in_scope(user, code,
                                                           sees_everything=sees_everything)
        return {"values": values, "publish": attrs["publish"], "submit": attrs["submit"]}


class ArticleContentSerializer(serializers.Serializer):
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    body_html = serializers.SerializerMethodField()
    areas = MasterSerializer(many=True, source="areas.all")
    genres = MasterSerializer(many=True, source="genres.all")
    municipality = MunicipalitySerializer(allow_null=True)
    website = serializers.CharField(source="url", allow_blank=True)

    def get_body_html(self, article) -> str:
        return expand_db_html(article.body or "")


class ManagedArticleSerializer(ManagedSerializerMixin):
    content = serializers.SerializerMethodField()

    @extend_schema_field(ArticleContentSerializer)
    def get_content(self, article):
        return ArticleContentSerializer(article.get_latest_revision_as_object()).data


def _article_write(request, article):
    data = ArticleWriteInputSerializer(data=request.data, context={"request": request})
    data.is_valid(raise_exception=True)
    if data.validated_data["publish"]:
        refuse_publish_without_permission(request, "faminavi.publish_article")
    try:
        return content_services.article_save(user=request.user, article=article,
                                             data=data.validated_data["values"],
                                             publish=data.validated_data["publish"],
                                             submit=data.validated_data["submit"])
    except DjangoValidationError as error:
        raise model_errors(error) from error


class ManagedArticleCreateView(ApiView):
    permission_classes = [model_permission("faminavi.add_article")]

    @extend_schema(operation_id="manage_faminavi_create", tags=[TAG],
                   summary="Register a ふぁみなび article (draft or — secretariat — published)",
                   request=ArticleWriteInputSerializer,
                   responses={201: ManagedArticleSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "お役立ち情報(ふぁみなび)登録・更新"})
    def post(self, request):
        article = _article_write(request, None)
        return managed_response(ManagedArticleSerializer, article,
                                status_code=status.HTTP_201_CREATED)


class ManagedArticleView(ApiView):
    def get_permissions(self):
        method = getattr(getattr(self, "request", None), "method", "GET")
        perm = "faminavi.view_article" if method in ("GET", "HEAD") else "faminavi.change_article"
        return [model_permission(perm)()]

    def _article(self, request, pk):
        article = access.articles_for_user(request.user).filter(pk=pk).first()
        if article is None:
            raise Http404
        return article

    @extend_schema(operation_id="manage_faminavi_read", tags=[TAG],
                   summary="An article in the caller's scope: latest revision and state",
                   responses={200: ManagedArticleSerializer})
    def get(self, request, pk: int):
        return managed_response(ManagedArticleSerializer, self._article(request, pk))

    @extend_schema(operation_id="manage_faminavi_update", tags=[TAG],
                   summary="Update a ふぁみなび article (a new revision)",
                   request=ArticleWriteInputSerializer,
                   responses={200: ManagedArticleSerializer, **WRITE_ERRORS},
                   extensions={"x-legacy-function": "お役立ち情報(ふぁみなび)登録・更新"})
    def put(self, request, pk: int):
        article = _article_write(request, self._article(request, pk))
        return managed_response(ManagedArticleSerializer, article)

"""URLs of the JSON API: /api/v1/… and the legacy shop list /api/legacy/shops.

No trailing slashes. Anything else under /api/ answers a problem+json 404.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from api import (
    assistant,
    auth,
    events,
    faminavi,
    legacy_shops,
    news,
    push,
    shop_management,
    shop_users,
    shops,
    users,
    web,
)

app_name = "api"

v1 = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # public reads
    path("shops", shops.ShopListView.as_view(), name="shops"),
    path("shops/<int:pk>", shops.ShopDetailView.as_view(), name="shop"),
    path("events", events.EventListView.as_view(), name="events"),
    path("events/<int:pk>", events.EventDetailView.as_view(), name="event"),
    path("faminavi", faminavi.ArticleListView.as_view(), name="faminavi"),
    path("faminavi/<int:pk>", faminavi.ArticleDetailView.as_view(), name="faminavi_article"),
    path("news", news.NewsListView.as_view(), name="news"),
    path("news/<int:pk>", news.NewsDetailView.as_view(), name="news_page"),
    # the FAQ assistant (cms_pages/assistant)
    path("assistant", assistant.AssistantView.as_view(), name="assistant"),
    path("assistant/feedback", assistant.FeedbackView.as_view(), name="assistant_feedback"),
    # authentication
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("auth/tokens", auth.TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<int:pk>", auth.TokenDetailView.as_view(), name="token_detail"),
    # members
    path("users", users.MemberSearchView.as_view(), name="users"),
    path("users/signup", users.SignupView.as_view(), name="signup"),
    path("users/signup/complete", users.SignupCompleteView.as_view(), name="signup_complete"),
    path("users/me", users.MeView.as_view(), name="me"),
    path("users/me/favourites", users.FavouriteListView.as_view(), name="favourites"),
    path("users/me/favourites/<int:shop_id>", users.FavouriteView.as_view(), name="favourite"),
    # the shop side and the approval (Wagtail drafts and workflow)
    path("manage/shops", shop_management.ShopApplicationView.as_view(), name="manage_shops"),
    path("manage/shops/drafts", shop_management.ShopDraftListView.as_view(),
         name="manage_shop_drafts"),
    path("manage/shops/pending", shop_management.ShopPendingListView.as_view(),
         name="manage_shops_pending"),
    path("manage/shops/<int:pk>", shop_management.ManagedShopView.as_view(),
         name="manage_shop"),
    path("manage/shops/<int:pk>/draft", shop_management.ShopDraftView.as_view(),
         name="manage_shop_draft"),
    path("manage/shops/<int:pk>/submission", shop_management.ShopSubmissionView.as_view(),
         name="manage_shop_submission"),
    path("manage/shops/<int:pk>/approval", shop_management.ShopApprovalView.as_view(),
         name="manage_shop_approval"),
    # events, ふぁみなび and news: registration and update
    path("manage/events", events.ManagedEventCreateView.as_view(), name="manage_events"),
    path("manage/events/<int:pk>", events.ManagedEventView.as_view(), name="manage_event"),
    path("manage/faminavi", faminavi.ManagedArticleCreateView.as_view(),
         name="manage_faminavi"),
    path("manage/faminavi/<int:pk>", faminavi.ManagedArticleView.as_view(),
         name="manage_faminavi_article"),
    path("manage/news", news.ManagedNewsCreateView.as_view(), name="manage_news"),
    path("manage/news/<int:pk>", news.ManagedNewsView.as_view(), name="manage_news_page"),
    # push notifications
    path("push/subscriptions", push.SubscriptionsView.as_view(), name="push_subscriptions"),
    path("push/subscriptions/remove", push.SubscriptionRemoveView.as_view(),
         name="push_subscription_remove"),
    path("manage/push/campaigns", push.CampaignCreateView.as_view(), name="push_campaigns"),
    path("manage/push/campaigns/<int:pk>", push.CampaignView.as_view(), name="push_campaign"),
    # shop accounts
    path("shop-users", shop_users.ShopUserSearchView.as_view(), name="shop_users"),
    path("shop-users/signup", shop_users.ShopUserSignupView.as_view(), name="shop_user_signup"),
    path("shop-users/signup/complete", shop_users.ShopUserSignupCompleteView.as_view(),
         name="shop_user_signup_complete"),
    path("shop-users/token", auth.ShopUserTokenView.as_view(), name="shop_user_token"),
    path("shop-users/me", shop_users.ShopUserMeView.as_view(), name="shop_user_me"),
]

urlpatterns = [
    *(path(f"v1/{p.pattern}", p.callback, name=p.name) for p in v1),
    path("legacy/shops", legacy_shops.LegacyShopListView.as_view(), name="legacy_shops"),
    # The account page's "sign out this app" form (HTML, session and CSRF; not JSON).
    path("account/tokens/<int:pk>/revoke", web.token_revoke, name="token_revoke"),
    re_path(r"^[\s\S]*$", web.not_found, name="not_found"),
]

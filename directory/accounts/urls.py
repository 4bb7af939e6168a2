"""Member-side account pages, mounted at /accounts/ (namespace "accounts").

No URL here carries a member id: every "my page" URL acts on the signed-in user.
"""

from django.urls import path

from directory.accounts import views

app_name = "accounts"
urlpatterns = [
    # Sign-up: 仮登録 (e-mail) → link → 本登録 (password + profile)
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/resend/", views.signup_resend, name="signup_resend"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("signup/complete/", views.signup_complete, name="signup_complete"),
    # Login and logout
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("logged-out/", views.logged_out, name="logged_out"),
    # Password reset (Django's views with our templates)
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    # My page
    path("mypage/", views.mypage, name="mypage"),
    path("mypage/profile/", views.profile, name="profile"),
    path("mypage/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mypage/password/done/", views.password_change_done, name="password_change_done"),
    path("mypage/email/", views.email_change, name="email_change"),
    path("mypage/email/sent/", views.email_change_sent, name="email_change_sent"),
    path("mypage/delete/", views.account_delete, name="account_delete"),
    path("mypage/data.json", views.data_export, name="data_export"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    # Sent to the old address after any change of the sign-in address (any account).
    path("email/undo/<str:token>/", views.email_change_undo, name="email_change_undo"),
    path("deleted/", views.account_deleted, name="account_deleted"),
]

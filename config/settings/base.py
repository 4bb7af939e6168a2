"""Settings shared by every environment, read from the environment (django-environ).

The embedded default (no variables set) is SQLite, local-memory cache, console
e-mail and django-q2 on its ORM broker, so `make run` needs no other service.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Development fallback only: config.settings.production refuses to start without SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Project apps first so their templates override Wagtail's where needed.
    "directory.accounts",
    "directory.masters",
    "directory.members",
    "directory.shops",
    "directory.events",
    "directory.faminavi",
    "cms_pages",
    "cms_pages.assistant",  # FAQ assistant, anonymous counters, insight dashboard
    "notifications",
    "accessibility",
    "operations",
    "api",
    "staffauth",
    # Wagtail
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Third party
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets for /api/v1/docs, served locally
    "django_q",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: request id (X-Request-ID), request metrics and the access log line.
    "operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /api/…: bodies over API_MAX_BODY_BYTES → 413, errors as application/problem+json.
    "api.middleware.ApiMiddleware",
    "config.maintenance.MaintenanceModeMiddleware",
    # Anonymous pages: a content-version ETag; 304 to nginx's revalidation (issue 20).
    "config.content_version.ContentVersionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.JapaneseByDefaultMiddleware",
    # LocaleMiddleware, keeping the cookie on URLs without /en/ (cms_pages/i18n.py).
    "cms_pages.i18n.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Audit log: exports and personal-data views in the admin.
    "operations.middleware.AuditMiddleware",
    "staffauth.middleware.SessionTimeoutMiddleware",
    "staffauth.middleware.StaffTwoFactorMiddleware",
    # Shop owners: no translation report or reports section in the admin.
    "directory.shops.middleware.ShopOwnerAdminScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # X-Portal-Viewer on HTML pages: the service worker keeps a card only for its viewer.
    "notifications.pwa.ViewerHeaderMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms_pages.context_processors.portal",
            ],
        },
    },
]

# --- Database: SQLite embedded default, PostgreSQL via DATABASE_URL -------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the django-q2 worker and the web process share the file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory by default; CACHE_URL or REDIS_URL for shared caches --------
if env("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail: console by default, SMTP (Postfix) via EMAIL_URL ------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@osaka-pass.example.jp")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"

# --- Internationalisation: Japanese default, English second ------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "site" / "locale"]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Wagtail ------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env("SITE_NAME", default="大阪府子育て・結婚応援パスポート")
# Links in e-mails and the admin. Without BASE_URL they point at the address `make run`
# serves on (PORT, which the Makefile passes on), so `PORT=8080 make run` mails :8080 links.
WAGTAILADMIN_BASE_URL = env("BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# Shop owners and editors upload photos: at most 5 MB each (Wagtail refuses bigger files
# with a Japanese message); EXIF locations are removed on upload (directory/shops/images.py).
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("WAGTAILIMAGES_MAX_UPLOAD_SIZE", default=5 * 1024 * 1024)
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Wagtail's "Name and Email" panel changes the sign-in address with only a session; our
# panel (directory/accounts/admin_forms.py) asks for the password and lets the old
# address undo the change.
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True

# --- The programme --------------------------------------------------------------------
PORTAL = {
    "SITE_NAME": WAGTAIL_SITE_NAME,
    # The site's name on the English side (cms_pages.context_processors.portal).
    "SITE_NAME_EN": env("SITE_NAME_EN",
                        default="Osaka Child-Raising and Marriage Support Passport"),
    "SECRETARIAT_NAME_EN": env(
        "SECRETARIAT_NAME_EN",
        default="Osaka Child-Raising and Marriage Support Passport Secretariat"),
    "PREFECTURE_NAME_EN": env("PREFECTURE_NAME_EN", default="Osaka Prefecture"),
    "PREFECTURE_NAME": env("PREFECTURE_NAME", default="大阪府"),
    "PREFECTURE_CODE": env("PREFECTURE_CODE", default="27"),
    "CHILD_PROGRAMME_NAME": env("CHILD_PROGRAMME_NAME", default="まいど子でもカード"),
    "MARRIAGE_PROGRAMME_NAME": env("MARRIAGE_PROGRAMME_NAME", default="縁ジョイパス"),
    "SECRETARIAT_NAME": env("SECRETARIAT_NAME", default="大阪府子育て・結婚応援パスポート事務局"),
    # Map tiles for Leaflet (no API key). The attribution is HTML shown on every map.
    # Default: 国土地理院's 地理院タイル (標準地図): free for public services, Japanese
    # labels; their terms ask for the source 「地理院タイル」 linked to the tile list.
    # (The OpenStreetMap tile server's usage policy forbids a site of this traffic.)
    # See docs/operations.md, "Map tiles".
    "MAP_TILE_URL": env("MAP_TILE_URL",
                        default="https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"),
    "MAP_ATTRIBUTION": env(
        "MAP_ATTRIBUTION",
        default='<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>',
    ),
    # Member accounts (directory/accounts): link lifetimes, member numbers, abuse limits.
    "SIGNUP_LINK_HOURS": env.int("PORTAL_SIGNUP_LINK_HOURS", default=24),
    "EMAIL_CHANGE_LINK_HOURS": env.int("PORTAL_EMAIL_CHANGE_LINK_HOURS", default=24),
    # The link mailed to the old address after a sign-in address change (accounts/services).
    "EMAIL_CHANGE_UNDO_DAYS": env.int("PORTAL_EMAIL_CHANGE_UNDO_DAYS", default=7),
    # str.format with prefecture_code and number: 27 + 8 digits = 2700000001.
    "MEMBER_NUMBER_FORMAT": env("PORTAL_MEMBER_NUMBER_FORMAT",
                                default="{prefecture_code}{number:08d}"),
    "TERMS_URL": env("PORTAL_TERMS_URL", default=""),
    "RATE_LIMIT_PER_IP": env.int("PORTAL_RATE_LIMIT_PER_IP", default=5),
    "RATE_LIMIT_WINDOW_SECONDS": env.int("PORTAL_RATE_LIMIT_WINDOW_SECONDS", default=300),
    "LOGIN_LOCKOUT_ATTEMPTS": env.int("PORTAL_LOGIN_LOCKOUT_ATTEMPTS", default=5),
    "LOGIN_LOCKOUT_SECONDS": env.int("PORTAL_LOGIN_LOCKOUT_SECONDS", default=900),
    # Shop side (directory/shops): the secretariat is mailed on each submission of a shop
    # or event for approval ("immediate") or once a day with everything waiting ("daily").
    "SUBMISSION_NOTICE": env("PORTAL_SUBMISSION_NOTICE", default="immediate"),
    # The page workflow 事務局承認: whoever submitted a version cannot approve it (four eyes,
    # cms_pages.models.FourEyesApprovalTask).
    "FOUR_EYES_APPROVAL": env.bool("PORTAL_FOUR_EYES_APPROVAL", default=True),
    # CMS (cms_pages): shareable preview links, the contact form's limits.
    "PREVIEW_LINK_DAYS": env.int("PORTAL_PREVIEW_LINK_DAYS", default=7),
    "CONTACT_MESSAGE_MAX_LENGTH": env.int("PORTAL_CONTACT_MESSAGE_MAX_LENGTH", default=2000),
    "CONTACT_MIN_FILL_SECONDS": env.int("PORTAL_CONTACT_MIN_FILL_SECONDS", default=3),
    "CONTACT_MAX_FORM_AGE_SECONDS": env.int("PORTAL_CONTACT_MAX_FORM_AGE_SECONDS",
                                            default=24 * 60 * 60),
}

# --- REST framework -----------------------------------------------------------------
REST_FRAMEWORK = {
    # drf-spectacular's, stating every constraint the serializers enforce (api/openapi.py)
    "DEFAULT_SCHEMA_CLASS": "api.openapi.PortalAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Passport portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Only /api/… (not the Wagtail admin's internal APIs): config/openapi.py.
    "PREPROCESSING_HOOKS": ["config.openapi.public_endpoints_only"],
    # Problem responses, closed request bodies, the legacy-function index: api/openapi.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.openapi.postprocess",
    ],
    "DESCRIPTION": "JSON API of the passport portal for the PWA and outside clients. "
                   "Errors are application/problem+json (RFC 9457); see docs/api.md.",
    "SCHEMA_PATH_PREFIX": r"/api/(v1/)?",
    # Swagger UI from drf-spectacular-sidecar (static files): the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# The JSON API (api/, docs/api.md): bearer tokens, body limit, throttles, caching.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=30)
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_THROTTLE_RATES = {
    "ip": env("API_THROTTLE_IP", default="600/minute"),  # every request, per client IP
    "token": env("API_THROTTLE_TOKEN", default="1200/minute"),  # per token (or session user)
}
API_PUBLIC_MAX_AGE = env.int("API_PUBLIC_MAX_AGE", default=60)  # Cache-Control of public reads

# --- django-q2: ORM broker by default, Redis when Q_REDIS_URL is set ----------------
Q_CLUSTER = {
    "name": "portal",
    "workers": env.int("Q_WORKERS", default=1),
    "timeout": 600,
    "retry": 900,
    "max_attempts": 3,
    "catch_up": False,
    "orm": "default",
}
if env("Q_REDIS_URL", default=""):
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = env("Q_REDIS_URL")

# --- Security defaults (production tightens further) --------------------------------
SESSION_COOKIE_HTTPONLY = True
# Database sessions are shared by every app instance; production reads them through
# the shared cache (cached_db, config/settings/production.py).
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Argon2id first; existing PBKDF2 hashes still verify and are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# CSP, Permissions-Policy and file policy: config/security.py (nonces per request).
CSP_REPORT_URI = env("CSP_REPORT_URI", default="")
CSP_SCRIPT_SRC_EXTRA = env.list("CSP_SCRIPT_SRC_EXTRA", default=[])
CSP_IMG_SRC_EXTRA = env.list("CSP_IMG_SRC_EXTRA", default=[])
CSP_CONNECT_SRC_EXTRA = env.list("CSP_CONNECT_SRC_EXTRA", default=[])
# Staff sign-in (staffauth/): TOTP for superusers, 事務局, 自治体職員 and 監査 in the admin;
# session limits in seconds (idle: back-office users; absolute: every signed-in session).
STAFF_TWO_FACTOR_REQUIRED = env.bool("STAFF_TWO_FACTOR_REQUIRED", default=True)
STAFF_TWO_FACTOR_GROUPS = ["事務局", "自治体職員", "監査"]  # directory/accounts/roles.py
# Authenticators are registered only through one-time links mailed by the secretariat.
STAFF_TWO_FACTOR_LINK_HOURS = env.int("STAFF_TWO_FACTOR_LINK_HOURS", default=72)
STAFF_SESSION_IDLE_TIMEOUT = env.int("STAFF_SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 3600)
# The e2e accessibility sweep writes its results here; `manage.py accessibility_statement`
# turns them into the アクセシビリティ方針 page's 試験結果 (accessibility/statement.py).
ACCESSIBILITY_RESULTS_FILE = env.path("ACCESSIBILITY_RESULTS_FILE",
                                      default=BASE_DIR / "var" / "a11y" / "results.json")
# Maintenance mode (config/maintenance.py, `manage.py maintenance on|off`).
MAINTENANCE_MODE = env.bool("MAINTENANCE_MODE", default=False)
MAINTENANCE_FLAG_FILE = env.path("MAINTENANCE_FLAG_FILE", default=BASE_DIR / "var" / "maintenance.on")
MAINTENANCE_RETRY_AFTER = env.int("MAINTENANCE_RETRY_AFTER", default=3600)
# Uploaded documents go through Django's serve view (privacy checks, headers): always as
# an attachment, with "default-src 'none'; sandbox" (config/security.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods",
                          "csv", "txt", "zip"]
# No staff e-mail hashes sent to gravatar.com from the admin.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# nginx's anonymous page cache is refreshed on publish (config/frontend_cache.py).
WAGTAILFRONTENDCACHE = {
    f"nginx{index}": {"BACKEND": "config.frontend_cache.NginxRefreshBackend", "LOCATION": url}
    for index, url in enumerate(env.list("NGINX_CACHE_REFRESH_URLS", default=[]))
}
# How long nginx keeps the anonymous detail pages of shops, events and ふぁみなび when the
# refresh above is configured (publishing refreshes them at once; config/frontend_cache.py).
PUBLIC_DETAIL_CACHE_SECONDS = env.int("PUBLIC_DETAIL_CACHE_SECONDS", default=600)

# --- Operations: backups, metrics, audit log (operations/, docs/operations.md) --------
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=7)
BACKUP_PG_BIN_DIR = env("BACKUP_PG_BIN_DIR", default="")  # e.g. /usr/lib/postgresql/15/bin
BACKUP_SCHEDULE = env.bool("BACKUP_SCHEDULE", default=True)  # false: the systemd timer runs it
BACKUP_SCHEDULE_TIME = env("BACKUP_SCHEDULE_TIME", default="03:00")  # TIME_ZONE local time
# Daily pruning of expired sign-up/registration links and API tokens (operations.services).
HOUSEKEEPING_SCHEDULE_TIME = env("HOUSEKEEPING_SCHEDULE_TIME", default="04:00")
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# Anonymous counters of cms_pages/assistant (questions, searches, shop views): days kept.
ANALYTICS_RETENTION_DAYS = env.int("ANALYTICS_RETENTION_DAYS", default=400)
# nginx's count log(s) (deploy/nginx/portal.conf, log_format portal_counts): shop views
# and zero-result searches, cached or not, added up every minute by a django-q2 task
# (cms_pages/assistant/page_counts.py). Empty: nothing is counted (no nginx in front).
PAGE_COUNT_LOGS = env.list("PAGE_COUNT_LOGS", default=[])
PAGE_COUNT_STATE_DIR = env.path("PAGE_COUNT_STATE_DIR", default=BASE_DIR / "var" / "page-counts")
# Reverse proxies whose X-Forwarded-For names the client (nginx on the same host:
# 127.0.0.1,::1). Empty: REMOTE_ADDR is used as it is (operations.middleware).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])

# Logs: one JSON object per line with the request id (operations/logging.py);
# LOG_FORMAT=text gives readable lines (the default with DEBUG).
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "operations.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "operations.logging.JsonFormatter"},
        "text": {"()": "operations.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if LOG_FORMAT == "text" else "json",
        },
        # Counts warnings and errors for /metrics (portal_log_records_total).
        "metrics": {"class": "operations.logging.MetricsHandler", "level": "WARNING"},
    },
    "root": {"handlers": ["console", "metrics"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail 8 logs every background task at INFO.
        "django_tasks": {"level": "WARNING"},
    },
}

# --- Web Push (notifications/): VAPID, sending, allowed push services ----------------
# PUSH_VAPID_PRIVATE_KEY: PEM or the raw key in base64url (`vapid --gen`); unset, a key
# is generated once and kept in the database (development).
PUSH_VAPID_PRIVATE_KEY = env("PUSH_VAPID_PRIVATE_KEY", default="")
PUSH_VAPID_SUBJECT = env("PUSH_VAPID_SUBJECT", default="mailto:push@example.jp")
PUSH_VAPID_HOURS = min(env.int("PUSH_VAPID_HOURS", default=12), 12)  # JWT exp ≤ 12 h
PUSH_TTL_SECONDS = env.int("PUSH_TTL_SECONDS", default=86400)  # kept by the push service
PUSH_BATCH_SIZE = env.int("PUSH_BATCH_SIZE", default=500)  # subscriptions per task
PUSH_CONCURRENCY = env.int("PUSH_CONCURRENCY", default=50)  # requests in flight per task
PUSH_TIMEOUT_SECONDS = env.int("PUSH_TIMEOUT_SECONDS", default=10)
PUSH_PRUNE_DAYS = 30
# Endpoints are accepted (and POSTed to) only over https on these hosts…
PUSH_ENDPOINT_HOST_SUFFIXES = env.list("PUSH_ENDPOINT_HOST_SUFFIXES", default=[
    "fcm.googleapis.com", "android.googleapis.com", "push.services.mozilla.com",
    "notify.windows.com", "push.apple.com",
])
# …or on these exact origins (a local fake push service in tests and benchmarks only).
PUSH_ENDPOINT_EXTRA_ORIGINS = env.list("PUSH_ENDPOINT_EXTRA_ORIGINS", default=[])

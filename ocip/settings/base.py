"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# "dev", "test" or "production": what load_demo_data and the templates check.
OCIP_ENVIRONMENT = "base"

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    # ours first, so our templates override third-party ones
    "ocip",
    "ocip.accounts",
    "ocip.mail",
    "ocip.notifications",
    "diagnostics",
    "matching",
    "projects",
    "cms",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # allauth
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # API
    "rest_framework",
    "drf_spectacular",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "csp",  # its system checks
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Enabled everywhere: dev shows violations in the console, the browser tests run under it.
    "ocip.middleware.PathContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ocip.middleware.TextBoundaryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ocip.middleware.StaffAreaGuardMiddleware",
    "ocip.middleware.RoleMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "ocip.urls"
WSGI_APPLICATION = "ocip.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ocip.notifications.context_processors.unread_notifications",
                "ocip.context_processors.platform",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must take a small office's concurrent writes without 500s. Every
    # request is a transaction (ATOMIC_REQUESTS): begun DEFERRED, two that read then write
    # fail at once with "database is locked" (SQLite cannot upgrade a stale read lock). BEGIN
    # IMMEDIATE takes the write lock up front, so requests queue behind the busy timeout
    # instead; WAL keeps reads outside a transaction (sessions, auth) from waiting on them.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,  # seconds a writer waits for the lock before giving up
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),  # options in DATABASE_URL win
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is shared by every process (login rate limits and TOTP replay protection live in it):
# Redis when REDIS_URL is set, otherwise a database table that `createcachetable` makes.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ocip_cache",
        }
    }
# Public pages for anonymous visitors (ocip/public_cache.py), apart from the rate limits and
# one-time codes: however many addresses fill it, it never pushes those out.
CACHES["public_pages"] = (
    {**CACHES["default"], "KEY_PREFIX": "public-pages"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ocip_public_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# --- allauth -------------------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "ocip.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "diagnostics.forms.BusinessSignupForm"}
# The platform's name in account emails ("Hello from …", the subject), not the request's host.
OCIP_SITE_NAME = env("OCIP_SITE_NAME", default="OCIP")
# Where people write for help: the footer of every page and the account pages link to it.
OCIP_CONTACT_EMAIL = env("OCIP_CONTACT_EMAIL", default="support@ocip.example")
# How long a public page is kept for anonymous visitors (0 turns the cache off).
OCIP_PUBLIC_CACHE_SECONDS = env.int("OCIP_PUBLIC_CACHE_SECONDS", default=300)
# Rate limits are allauth's defaults made explicit; they live in the shared cache above.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "OCIP"
# Rate limits count per client address. Behind N reverse proxies of ours, each appending to
# X-Forwarded-For, the client's address is the Nth entry from the right; without this setting
# every client would share the proxy's address (one attacker locking everyone out), with too
# large a number a client could pick its own address by sending the header. 0: no proxy, the
# TCP peer (REMOTE_ADDR) is the client. Production sets it (default 1).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("OCIP_TRUSTED_PROXY_COUNT", default=0)

# --- Content-Security-Policy (django-csp) --------------------------------------------------
# Our pages: nothing inline (no <script> or <style> blocks, style= or on*= attributes; all of it
# lives in static/), and nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for allauth's TOTP set-up page, whose QR code is a data: SVG (an <img> runs no
        # script).
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The Wagtail admin, and only it, runs under our policy with these directives replaced.
OCIP_CSP_PATH_POLICIES = {
    "/cms-admin/": {
        # Wagtail 7.4 still writes inline <script>s without a nonce (the date pickers of listing
        # filters and go-live dates, page/task choosers, InlinePanel set-up), and jQuery runs
        # those in the HTML it inserts. Inline on*= handlers stay blocked (script-src-attr falls
        # back to script-src 'self'; only the focal-point cropper's feature test trips on it,
        # harmlessly), and so does eval: Wagtail needs neither.
        "script-src-elem": ["'self'", "'unsafe-inline'"],
        # The rich text editor (Draftail) adds <style> elements for its placeholders and list
        # counters. style= attributes stay blocked: Wagtail writes none.
        "style-src-elem": ["'self'", "'unsafe-inline'"],
        # blob: for the thumbnails shown while images upload (data: as on our pages).
        "img-src": ["'self'", "data:", "blob:"],
        # The dashboard's upgrade notice fetches the latest version number from wagtail.org.
        "connect-src": ["'self'", "https://releases.wagtail.org"],
        # The page editor frames its preview panel, which can show an admin page (preview errors).
        "frame-ancestors": ["'self'"],
    },
}
# Wagtail's previews render our pages under our policy, except that the editor frames them.
OCIP_CSP_PREVIEW_DIRECTIVES = {"frame-ancestors": ["'self'"]}
# Staff avatars: Wagtail's default image instead of Gravatar, so the admin needs no third-party
# images (and staff email hashes are not sent to Gravatar).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- i18n ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Toronto"

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("fr", "Français")]
WAGTAIL_SITE_NAME = "OCIP"
# The address people reach the site at, for links in emails.
OCIP_BASE_URL = env("OCIP_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = OCIP_BASE_URL
# The admins have no login of their own: allauth's (rate-limited, MFA) login is the only door.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default="")
# How often each process looks for a newer stored matching index (seconds).
MATCHING_INDEX_CHECK_SECONDS = env.int("MATCHING_INDEX_CHECK_SECONDS", default=5)
# Sentence embeddings for ranking by meaning: "use" (multilingual Universal Sentence Encoder,
# shipped in the lock), "hashing" (a deterministic stand-in for tests) or "" (words only).
MATCHING_EMBEDDER = env("MATCHING_EMBEDDER", default="use")
# Seconds one index rebuild spends embedding new passages (the rest waits for the next one),
# within CELERY_TASK_SOFT_TIME_LIMIT.
MATCHING_EMBED_SECONDS = env.int("MATCHING_EMBED_SECONDS", default=40)
# With ELASTICSEARCH_URL, matching ranks in Elasticsearch: this alias names the profiles' index.
MATCHING_ELASTICSEARCH_INDEX = env("MATCHING_ELASTICSEARCH_INDEX", default="ocip-profiles")
MATCHING_ELASTICSEARCH_TIMEOUT = env.int("MATCHING_ELASTICSEARCH_TIMEOUT", default=5)
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch9",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": "ocip_cms_",
            "TIMEOUT": 5,
            # English and French share the index's text field: fold accents and strip French
            # elisions (« l'énergie ») for every text field, at index and at query time.
            "INDEX_SETTINGS": {
                "settings": {
                    "analysis": {
                        "filter": {
                            "ocip_elision": {
                                "type": "elision",
                                "articles_case": True,
                                "articles": [
                                    *("l", "m", "t", "qu", "n", "s", "j", "d", "c"),
                                    *("jusqu", "quoiqu", "lorsqu", "puisqu"),
                                ],
                            }
                        },
                        "analyzer": {
                            "default": {
                                "type": "custom",
                                "tokenizer": "standard",
                                "filter": ["ocip_elision", "lowercase", "asciifolding"],
                            }
                        },
                    }
                }
            },
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Files that only permission-checked views serve (evidence uploads): never under MEDIA_ROOT.
OCIP_PRIVATE_FILES_ROOT = env("OCIP_PRIVATE_FILES_ROOT", default=str(BASE_DIR / "private-files"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- email ---------------------------------------------------------------------------------
# Every email goes into the outbox table; a Celery task delivers it with OCIP_DELIVERY_EMAIL.
EMAIL_BACKEND = "ocip.mail.backends.OutboxEmailBackend"
OCIP_DELIVERY_EMAIL = env.email("EMAIL_URL", default="consolemail://")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="OCIP <no-reply@ocip.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in-process (the zero-setup default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Profile edits enqueue a rebuild themselves; this catches edits made any other way.
    "matching-index-refresh": {
        "task": "matching.tasks.matching_index_rebuild",
        "schedule": 60,
        "options": {"expires": 50},
    },
    "pathways-complete": {
        "task": "projects.tasks.pathways_complete_all",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 23 * 60 * 60},
    },
    "requests-service-levels": {
        "task": "matching.tasks.requests_check_service_levels",
        "schedule": 60 * 60,
        "options": {"expires": 50 * 60},
    },
    "mail-requeue-stale": {
        "task": "ocip.mail.tasks.outbox_requeue_pending",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
}

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # drf-spectacular's, adding every operation's refusals and their bodies (ocip/api_schema.py).
    "DEFAULT_SCHEMA_CLASS": "ocip.api_schema.ApiSchema",
    "EXCEPTION_HANDLER": "ocip.api.exception_handler",
    # JSON only, read through the text boundary with size and depth limits (ocip/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["ocip.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "ocip.api_pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    # The API's language comes from Accept-Language, as it has no /fr/ prefix (ocip/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "ocip.negotiation.LanguageNegotiation",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OCIP API",
    "DESCRIPTION": "Ontario Collaborative Innovation Platform",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["ocip.api.only_ocip_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ocip.api_schema.overlapping_unions",
    ],
    # What the URL converters really match, so that clients (and generated tests) know.
    "PATH_CONVERTER_OVERRIDES": {
        "int": {"type": "integer", "minimum": 0},
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    },
}

# --- OCIP ----------------------------------------------------------------------------------
OCIP_INVITATION_DAYS = env.int("OCIP_INVITATION_DAYS", default=14)
OCIP_PAGE_SIZE = 25
# The secret that seals the credential signing keys at rest (projects/credentials/sealing.py):
# any long random text, kept outside the database. Production refuses to start without it.
OCIP_SIGNING_KEYS_SECRET = env("OCIP_SIGNING_KEYS_SECRET", default="")
# Business days the business has to endorse a passed assessment before the research office may
# issue the credential without its endorsement.
OCIP_ENDORSEMENT_DAYS = env.int("OCIP_ENDORSEMENT_DAYS", default=10)
# The largest evidence file a project lead may upload.
OCIP_EVIDENCE_MAX_BYTES = env.int("OCIP_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# The largest JSON body the API reads (DRF does not apply DATA_UPLOAD_MAX_MEMORY_SIZE to JSON).
OCIP_API_MAX_BODY_BYTES = env.int("OCIP_API_MAX_BODY_BYTES", default=256 * 1024)
# The largest credential verified (page and API): a credential of ours is about 10 KB. (What
# bounds the work of canonicalising is data_integrity.MAX_PERMUTATIONS, not the size.)
OCIP_VERIFY_MAX_BYTES = env.int("OCIP_VERIFY_MAX_BYTES", default=64 * 1024)
# How many credentials one person (or address) may verify a minute, page and API together.
OCIP_VERIFY_RATE = env("OCIP_VERIFY_RATE", default="30/minute")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Service levels of introduction requests, in business days (Mon-Fri less Ontario holidays).
OCIP_REQUEST_FLAG_DAYS = env.int("OCIP_REQUEST_FLAG_DAYS", default=3)
OCIP_REQUEST_ESCALATE_DAYS = env.int("OCIP_REQUEST_ESCALATE_DAYS", default=5)

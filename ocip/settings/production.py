"""Production: everything from the environment; a missing secret stops start-up."""

from .base import *

OCIP_ENVIRONMENT = "production"
DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    # Public pages for anonymous visitors, apart (ocip/public_cache.py). Give this Redis a
    # maxmemory-policy of volatile-lru: every page expires, the rate limits are never evicted.
    "public_pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("OCIP_PUBLIC_CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "public-pages",
    },
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
OCIP_DELIVERY_EMAIL = env.email("EMAIL_URL")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production runs behind a reverse proxy (the line above trusts its X-Forwarded-Proto): rate
# limits take the client's address from the X-Forwarded-For entry that proxy appended. Set
# OCIP_TRUSTED_PROXY_COUNT to the number of proxies of ours in front (2 for a CDN plus a load
# balancer); 0 only if gunicorn faces the internet itself.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("OCIP_TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Secure-csrftoken"
X_FRAME_OPTIONS = "DENY"
OCIP_BASE_URL = env("OCIP_BASE_URL")
OCIP_SIGNING_KEYS_SECRET = env("OCIP_SIGNING_KEYS_SECRET")
WAGTAILADMIN_BASE_URL = OCIP_BASE_URL

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

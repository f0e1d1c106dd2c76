"""Settings for the test suite. PostgreSQL when DATABASE_URL is set, SQLite otherwise."""

from .base import *

OCIP_ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
OCIP_SIGNING_KEYS_SECRET = "test-only-signing-keys-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
    },
}
if REDIS_URL:
    for alias in CACHES:
        CACHES[alias] = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"ocip-test-{alias}",
        }
OCIP_DELIVERY_EMAIL = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
# Integration tests start their own worker against CELERY_BROKER_URL; everything else is eager.
CELERY_TASK_ALWAYS_EAGER = True
# A small deterministic stand-in for the embedding model; tests that need the real one say so.
MATCHING_EMBEDDER = "hashing"
TEMPLATES[0]["OPTIONS"]["debug"] = True  # type: ignore[index]
MEDIA_ROOT = "/tmp/ocip-test-media"  # noqa: S108
OCIP_PRIVATE_FILES_ROOT = "/tmp/ocip-test-private"  # noqa: S108
# Pages are rendered afresh in tests; the public page cache has its own tests.
OCIP_PUBLIC_CACHE_SECONDS = 0

"""The zero-setup default: SQLite, Celery eager, emails printed to the console."""

from .base import *

OCIP_ENVIRONMENT = "dev"
DEBUG = True
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
# Development makes its own signing-keys secret from its secret key.
OCIP_SIGNING_KEYS_SECRET = env("OCIP_SIGNING_KEYS_SECRET", default=f"development:{SECRET_KEY}")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

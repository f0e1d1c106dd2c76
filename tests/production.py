"""Production settings as a real production process loads them: a child process with the
environment the README's "Real deployment" asks for (placeholder addresses: nothing is
contacted). Importing them in the test process would give a false picture, since they share
base.py's mutable values with the test settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "ocip.example"
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "ocip.settings.production",
    "DJANGO_SECRET_KEY": "production-settings-test-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": HOST,
    "OCIP_BASE_URL": f"https://{HOST}",
    "EMAIL_URL": "smtp://ci:ci@mail.invalid:587",
    "DATABASE_URL": "postgres://ocip@db.invalid:5432/ocip",
    "REDIS_URL": "redis://cache.invalid:6379/1",
    "CELERY_BROKER_URL": "redis://cache.invalid:6379/0",
    "OCIP_SIGNING_KEYS_SECRET": "production-settings-test-" + "s" * 40,
}


def run_under_production(code: str, **environment: str) -> str:
    """What `code` prints in a process started with production settings (and `environment`)."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(BASE_DIR),
            **ENVIRONMENT,
            **environment,
        },
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout

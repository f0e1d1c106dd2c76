from django.apps import AppConfig


class OcipConfig(AppConfig):
    name = "ocip"
    verbose_name = "OCIP"

    def ready(self) -> None:
        # Tasks declared with @shared_task bind to this app once Django is up.
        from . import celery  # noqa: F401

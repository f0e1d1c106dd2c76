from django.apps import AppConfig


class OcipConfig(AppConfig):
    name = "ocip"
    verbose_name = "OCIP"

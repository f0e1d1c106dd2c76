from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ocip.accounts"
    label = "accounts"
    verbose_name = "Accounts"

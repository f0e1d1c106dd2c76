from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "ocip.mail"
    label = "mail"
    verbose_name = "Email outbox"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mamori.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mamori.accounts import signals  # noqa: F401 - connects the receivers

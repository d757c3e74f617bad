from django.apps import AppConfig


class CenterConfig(AppConfig):
    name = "mamori.center"
    label = "center"
    default_auto_field = "django.db.models.BigAutoField"

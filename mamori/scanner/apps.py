from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScannerConfig(AppConfig):
    name = "mamori.scanner"
    label = "scanner"
    verbose_name = _("Cookie scanner")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "mamori.disclosures"
    label = "disclosures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # "Disclosure of third-party provision records" requests are answered from the register.
        from mamori.disclosures.handler import RecordsHandler
        from mamori.rights.handover import register_handler

        register_handler(RecordsHandler())

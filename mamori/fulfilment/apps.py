from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "mamori.fulfilment"
    label = "fulfilment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The rights workflow hands verified requests to whichever handler is registered.
        from mamori.fulfilment.handler import EngineHandler
        from mamori.rights.handover import register_handler

        register_handler(EngineHandler())

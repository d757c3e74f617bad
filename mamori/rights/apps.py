from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "mamori.rights"
    label = "rights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # However a fulfilment run ends (the workflow's job, the console's resume), its outcome
        # comes back to the request through this one recorder.
        # Imported in ready(): services load models, which needs the app registry ready.
        from mamori.rights.handover import register_outcome_recorder
        from mamori.rights.services.workflow import record_outcome

        register_outcome_recorder(record_outcome)

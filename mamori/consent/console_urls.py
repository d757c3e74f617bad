"""Console pages of the consent domain, under /console/consent/ (namespace `consent_console`)."""

from django.urls import path

from mamori.consent import console_views

app_name = "consent_console"

urlpatterns = [
    path("", console_views.consent_rates, name="rates"),
    path("proof/", console_views.proof_export, name="proof"),
]

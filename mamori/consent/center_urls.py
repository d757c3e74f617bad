"""Privacy-center pages of the consent domain, mounted under /privacy/<organisation>/."""

from django.urls import URLPattern, URLResolver, path

from mamori.consent import center_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("subscriptions/", center_views.subscribe, name="consent_subscribe"),
    path("subscriptions/confirm/<str:token>/", center_views.confirm, name="consent_confirm"),
    path("unsubscribe/<str:token>/", center_views.unsubscribe, name="consent_unsubscribe"),
    path("choices/", center_views.privacy_choices, name="consent_choices"),
]

"""Public consent endpoints under /consent/ (namespace `consent`)."""

from django.urls import path

from mamori.consent import views

app_name = "consent"

urlpatterns = [
    path("banner.js", views.banner_js, name="banner"),
    path("config/<slug:site>.json", views.site_config, name="config"),
    path("demo/scripts/<str:name>", views.demo_script, name="demo_script"),
    path("demo/<slug:site>/", views.demo_shop, name="demo_shop"),
]

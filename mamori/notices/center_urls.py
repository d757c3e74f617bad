"""Privacy-center pages of the notices domain, mounted under /privacy/<organisation>/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

"""Privacy-center pages of the consent domain, mounted under /privacy/<organisation>/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

"""Console pages of the scanner, under /console/scans/ (namespace `scanner_console`)."""

from django.urls import path

from mamori.scanner import console_views

app_name = "scanner_console"

urlpatterns = [
    path("", console_views.scans, name="scans"),
    path("sites/", console_views.add_site, name="add_site"),
    path("sites/<int:site_id>/scan/", console_views.scan_now, name="scan_now"),
    path("<int:scan_id>/", console_views.report, name="report"),
]

"""Console URLs under /console/retention/ (names prefixed `retention` in the console namespace)."""

from django.urls import path

from mamori.retention import views

urlpatterns = [
    path("", views.overview, name="retention"),
    path("run/", views.run_now, name="retention_run_now"),
    path("runs/", views.run_list, name="retention_runs"),
    path("runs/<int:run_id>/", views.run_detail, name="retention_run"),
    path("runs/<int:run_id>/approve/", views.run_approve, name="retention_approve"),
    path("runs/<int:run_id>/certificate.<str:fmt>", views.certificate, name="retention_certificate"),
]

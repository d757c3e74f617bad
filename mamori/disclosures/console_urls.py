"""Console URLs under /console/records/ (names prefixed `records_` in the console namespace)."""

from django.urls import path

from mamori.disclosures import views

urlpatterns = [
    path("", views.register, name="records"),
    path("<int:record_id>/", views.record_detail, name="records_record"),
    path("ropa/<slug:organisation>/<str:fmt>/<str:language>/", views.ropa_download, name="records_ropa"),
]

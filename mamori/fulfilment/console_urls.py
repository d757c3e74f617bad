"""Console URLs under /console/fulfilment/ (names prefixed `fulfilment_` in the console namespace)."""

from django.urls import path

from mamori.fulfilment import views

urlpatterns = [
    path("", views.run_list, name="fulfilment_runs"),
    path("runs/<int:run_id>/", views.run_detail, name="fulfilment_run"),
    path("runs/<int:run_id>/resume/", views.run_resume, name="fulfilment_resume"),
    path("tasks/", views.task_list, name="fulfilment_tasks"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="fulfilment_task_complete"),
]

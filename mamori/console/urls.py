from django.urls import path

from mamori.console import auth_views, views

app_name = "console"

urlpatterns = [
    # Sign-in, second factor and sign-out (auth_views.py).
    path("login/", auth_views.login_view, name="login"),
    path("logout/", auth_views.logout_view, name="logout"),
    # Everything behind sign-in (views.py).
    path("", views.dashboard, name="dashboard"),
]

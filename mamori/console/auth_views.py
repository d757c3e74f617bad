"""Placeholder sign-in; replaced by the password + TOTP flow."""

from django.contrib.auth import views as auth

login_view = auth.LoginView.as_view(template_name="console/login.html")
logout_view = auth.LogoutView.as_view()

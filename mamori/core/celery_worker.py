"""The module `celery -A` loads in a worker: Django first, then the app (see `mamori worker`)."""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
django.setup()

from mamori.core.celery_jobs import celery_app  # noqa: E402 - needs Django set up first

app = celery_app()

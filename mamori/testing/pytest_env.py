"""Loaded with `-p` before pytest-django reads the settings, so tests need no exported variables."""

import os
import tempfile

os.environ.setdefault("MAMORI_SECRET_KEY", "test-only-secret-key-never-used-in-production-0123456789")
os.environ.setdefault("MAMORI_DATA_DIR", tempfile.mkdtemp(prefix="mamori-test-"))
os.environ.setdefault("MAMORI_TASKS", "immediate")
os.environ.setdefault("MAMORI_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("MAMORI_ENCRYPTION_KEYS", "kN2m9yqH0cX1b7WJ3wO2Qz3oQe2r5cB1s8Xy6tQd0hE=")

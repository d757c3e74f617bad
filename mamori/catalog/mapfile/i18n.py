"""Translation without importing Django.

`mamori check` must run with no settings, so this package never imports Django itself. When the
map is loaded inside the running site (Django already imported and configured), messages go
through Django's gettext so the console shows them in the staff member's language; on the
command line they stay English. `makemessages` extracts the `_("...")` literals as usual.
"""

from __future__ import annotations

import sys


def _(message: str) -> str:
    conf = sys.modules.get("django.conf")
    registry = sys.modules.get("django.apps")
    if conf is None or registry is None:
        return message
    if not (conf.settings.configured and registry.apps.ready):
        return message
    from django.utils.translation import gettext  # only reached when Django is already running

    return gettext(message)

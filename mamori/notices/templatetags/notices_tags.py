from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from mamori.notices.services import active_site_notice
from mamori.notices.site_notice import site_notice_payload

register = template.Library()


@register.simple_tag
def site_notice(organisation: str | None) -> dict[str, Any] | None:
    """`{% site_notice organisation as notice %}`: the announcement to show, in the page's language."""
    if not organisation:
        return None

    payload = site_notice_payload(organisation, active_site_notice(organisation))
    if not payload["active"]:
        return None
    language = "ja" if (get_language() or "en").startswith("ja") else "en"
    return {"message": payload["message"][language], "link_text": payload["link_text"][language], "url": payload["url"]}

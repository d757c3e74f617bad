"""The site notice about a material change: what the banner partial and the JSON endpoint say."""

from __future__ import annotations

from typing import Any

from mamori.notices.models import NoticeRelease
from mamori.notices.rendering import center_url
from mamori.notices.services import organisation_today_for
from mamori.notices.wording import say


def _date(value: Any, language: str) -> str:
    if language == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value:%B} {value.day}, {value.year}"


def site_notice_message(release: NoticeRelease, language: str, today: Any = None) -> str:
    today = today or organisation_today_for(release.organisation)
    key = "site_notice.upcoming" if release.effective_from > today else "site_notice.updated"
    when = release.effective_from if key == "site_notice.upcoming" else release.published_at.date()
    return say(key, language, date=_date(when, language))


def site_notice_payload(organisation: str, release: NoticeRelease | None) -> dict[str, Any]:
    if release is None:
        return {"active": False}
    url = f"{center_url(organisation)}changes/?version={release.number}"
    return {
        "active": True,
        "release": release.number,
        "effective_from": release.effective_from.isoformat(),
        "url": url,
        "message": {language: site_notice_message(release, language) for language in ("en", "ja")},
        "link_text": {language: say("site_notice.link", language) for language in ("en", "ja")},
    }

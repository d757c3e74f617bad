"""Privacy-center pages: marketing subscriptions, one-click unsubscribe, "Your Privacy Choices"."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import quote, unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from mamori.catalog.in_force import map_in_force_or_404
from mamori.consent import services, siteconfig
from mamori.consent.models import ConsentMethod
from mamori.core.errors import DomainError
from mamori.core.ratelimited import over_limit

CONSENT_COOKIE = "mamori_consent"


def _ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


def _ua(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")


def _context(request: HttpRequest, organisation: str, **extra: Any) -> dict[str, Any]:
    version, privacy_map = map_in_force_or_404(organisation)
    language = "ja" if (get_language() or "en").startswith("ja") else "en"
    return {
        "organisation": organisation,
        "map": privacy_map,
        "version": version,
        "language": language,
        "org_name": privacy_map.organisation.legal_name.get(language),
        "demo": bool(getattr(settings, "MAMORI_DEMO", False)),
    } | extra


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, organisation: str) -> HttpResponse:
    context = _context(request, organisation)
    topics = services.marketing_topics(context["map"])
    context["topics"] = [(topic.id, topic.name.get(context["language"])) for topic in topics]
    if request.method == "POST":
        if too_many := over_limit(request, "consent.subscribe", "10/m"):
            return too_many
        try:
            services.request_subscription(
                organisation,
                request.POST.get("topic", ""),
                request.POST.get("email", ""),
                context["language"],
                express_request=request.POST.get("express") == "yes",
                ip=_ip(request),
                user_agent=_ua(request),
            )
        except DomainError as exc:
            context |= {"error": exc.message, "email": request.POST.get("email", "")}
            return render(request, "consent/subscribe.html", context, status=400)
        return render(request, "consent/subscribe_sent.html", context)
    return render(request, "consent/subscribe.html", context)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    """GET asks for a press of the button: mail scanners that open links must not subscribe anyone."""
    context = _context(request, organisation, token=token)
    if request.method == "POST":
        try:
            services.confirm_subscription(token, ip=_ip(request), user_agent=_ua(request))
        except DomainError as exc:
            return render(
                request,
                "consent/message.html",
                context | {"title": _("Subscription not confirmed"), "message": exc.message},
                status=400,
            )
        return render(
            request,
            "consent/message.html",
            context
            | {
                "title": _("Subscription confirmed"),
                "message": _("Thank you. You can unsubscribe at any time with the link in every e-mail."),
            },
        )
    return render(request, "consent/confirm.html", context)


@csrf_exempt  # the signed token is the authority; RFC 8058 senders post without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    one_click = request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST":
        try:
            services.unsubscribe(organisation, token, one_click=one_click, ip=_ip(request), user_agent=_ua(request))
        except DomainError as exc:
            if one_click:
                return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
            return render(
                request,
                "consent/message.html",
                _context(request, organisation) | {"title": _("Not unsubscribed"), "message": exc.message},
                status=400,
            )
        if one_click:  # RFC 8058: the mail client posts and shows nothing
            return HttpResponse("unsubscribed\n", content_type="text/plain; charset=utf-8")
        return render(
            request,
            "consent/message.html",
            _context(request, organisation)
            | {"title": _("Unsubscribed"), "message": _("You will not receive this mail again.")},
        )
    return render(request, "consent/unsubscribe.html", _context(request, organisation, token=token))


def _stored_choice(request: HttpRequest) -> dict[str, Any]:
    try:
        value = json.loads(unquote(request.COOKIES.get(CONSENT_COOKIE, "")))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _statement_hash(organisation: str, language: str, statement: str) -> str:
    """The choices page's own words, stored like banner texts so the ledger entry can cite them."""
    return siteconfig.remember_text(organisation, language, {"page": "privacy_choices", "statement": statement})


@require_http_methods(["GET", "POST"])
def privacy_choices(request: HttpRequest, organisation: str) -> HttpResponse:
    """'Your Privacy Choices / Do Not Sell or Share': opt out for this browser and, if given, an address."""
    context = _context(request, organisation)
    config = siteconfig.site_config(organisation)
    gpc = request.headers.get("Sec-GPC") == "1"
    sale = [category for category in config["categories"] if category["sale"]]
    context |= {
        "gpc": gpc,
        "gpc_honoured": gpc and config["gpc"],
        "sale_categories": [config["texts"][context["language"]]["categories"][c["id"]]["name"] for c in sale],
    }
    if request.method != "POST":
        return render(request, "consent/choices.html", context)
    if too_many := over_limit(request, "consent.choices", "10/m"):
        return too_many
    statement = str(_("Opt out of the sale and sharing of my personal information."))
    stored = _stored_choice(request)
    device = str(stored.get("id") or uuid.uuid4())
    same_site = isinstance(stored.get("c"), dict) and stored.get("s") == organisation
    previous: dict[str, Any] = stored["c"] if same_site else {}
    choices = {
        c["id"]: bool(previous.get(c["id"])) and not c["sale"] for c in config["categories"] if not c["essential"]
    }
    try:
        services.record_event(
            event_id=uuid.uuid4(),
            site=organisation,
            device_id=device,
            notice_version=config["version"],
            text_hash=_statement_hash(organisation, context["language"], statement),
            language=context["language"],
            choices=choices,
            method=ConsentMethod.OPT_OUT,
            gpc=gpc,
            ip=_ip(request),
            user_agent=_ua(request),
        )
        services.record_sale_opt_out(organisation, email=request.POST.get("email", "").strip(), gpc=gpc)
    except DomainError as exc:
        context |= {"error": exc.message}
        return render(request, "consent/choices.html", context, status=400)
    response = render(request, "consent/choices.html", context | {"done": True})
    cookie = {
        "id": device,
        "v": config["version"],
        "c": {k: int(v) for k, v in choices.items()},
        "t": int(time.time()),
        "m": "opt_out",
        "s": organisation,
    }
    # Encoded as the banner encodes it (encodeURIComponent), so the banner reads this choice too.
    value = quote(json.dumps(cookie, separators=(",", ":")), safe="")
    response.set_cookie(
        CONSENT_COOKIE, value, max_age=(config["days"] + 30) * 86400, samesite="Lax", secure=request.is_secure()
    )
    return response

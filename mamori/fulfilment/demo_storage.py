"""The demo's stand-in for onemall's object storage adapter (profile photos, inquiry attachments).

onemall's map reaches its Alibaba Cloud object storage through a webhook (`alibaba-oss`). In the
demo that adapter is this view, served by mamori itself at /demo/onemall-storage/ and only when
MAMORI_DEMO is on: it checks the signature exactly as a company's adapter must, keeps its objects
in a JSON file in the data folder, and answers the webhook protocol of docs/fulfilment.md. It lets
a demo erasure or access request run end to end through all three kinds of connector.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mamori.fulfilment.connectors.webhook.connector import secret_env_name, sign

URL_ENV = "MAMORI_ONEMALL_OSS_WEBHOOK_URL"
STORE_FILE = "onemall-object-storage.json"
MAX_SKEW_SECONDS = 300
_lock = threading.Lock()

SEED_OBJECTS = [
    {
        "key": "profiles/hanako.yamada/photo.jpg",
        "owner": "hanako.yamada@example.jp",
        "kind": "profile_photo",
        "bytes": 48213,
        "uploaded_at": "2025-04-02T10:15:00+09:00",
    },
    {
        "key": "inquiries/1042/receipt.pdf",
        "owner": "hanako.yamada@example.jp",
        "kind": "inquiry_attachment",
        "bytes": 120551,
        "uploaded_at": "2026-10-30T16:40:00+09:00",
    },
    {
        "key": "profiles/taro.suzuki/photo.png",
        "owner": "taro.suzuki@example.jp",
        "kind": "profile_photo",
        "bytes": 30772,
        "uploaded_at": "2024-12-11T09:02:00+09:00",
    },
]


def store_path() -> Path:
    return Path(settings.DATA_DIR) / STORE_FILE


def _load() -> dict[str, Any]:
    path = store_path()
    if not path.exists():
        return {"objects": [dict(o, restricted=False) for o in SEED_OBJECTS], "answers": {}}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _save(state: dict[str, Any]) -> None:
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(path)


def _owned(state: dict[str, Any], identities: dict[str, Any]) -> list[dict[str, Any]]:
    email = str(identities.get("email") or "").strip().lower()
    return [o for o in state["objects"] if email and o["owner"] == email]


def _answer(state: dict[str, Any], action: str, payload: dict[str, Any]) -> dict[str, Any]:
    if action == "ping":
        return {"ok": True}
    if action == "find":
        return {"results": [{"counts": {"objects": len(_owned(state, s))}, "held": {}} for s in payload["subjects"]]}
    if action == "export":
        fields = ("key", "kind", "bytes", "uploaded_at")
        rows = [{k: o[k] for k in fields} for o in _owned(state, payload["identities"])]
        return {"records": {"objects": rows}}
    if action == "erase":
        doomed = {o["key"] for s in payload["subjects"] for o in _owned(state, s)}
        state["objects"] = [o for o in state["objects"] if o["key"] not in doomed]
        return {"erased": {"objects": len(doomed)}}
    if action == "restrict":
        owned = _owned(state, payload["identities"])
        for item in owned:
            item["restricted"] = bool(payload["restricted"])
        return {"changed": {"objects": len(owned)}}
    if action == "rectify":
        return {"changed": {"objects": 0}}  # objects hold no fields that can be corrected
    raise ValueError(action)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    if not settings.MAMORI_DEMO:
        raise Http404("the demo storage adapter runs only in the demo")
    secret = os.environ.get(secret_env_name(URL_ENV), "")
    timestamp = request.headers.get("X-Mamori-Timestamp", "")
    signature = request.headers.get("X-Mamori-Signature", "")
    if not secret or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
        return JsonResponse({"error": "stale or missing timestamp"}, status=401)
    if not hmac.compare_digest(signature, sign(secret.encode("utf-8"), timestamp, request.body)):
        return JsonResponse({"error": "bad signature"}, status=401)
    try:
        body = json.loads(request.body)
        action = str(body["action"])
    except (ValueError, KeyError):
        return JsonResponse({"error": "not a webhook call"}, status=400)
    key = request.headers.get("Idempotency-Key", "")
    with _lock:
        state = _load()
        if key and key in state["answers"]:  # a retry or resumed step: the same answer, no second effect
            return JsonResponse(state["answers"][key])
        try:
            answer = _answer(state, action, body)
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"error": f"cannot {action}"}, status=400)
        if key and action in {"erase", "restrict", "rectify"}:
            state["answers"][key] = answer
        _save(state)
    return JsonResponse(answer)


def configure_for_demo(base_url: str) -> None:
    """Point the onemall map's storage webhook at this adapter (unless the environment already does)."""
    if os.environ.get(URL_ENV):
        return
    secret_file = Path(settings.DATA_DIR) / "onemall-storage-secret"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        secret_file.chmod(0o600)
    os.environ[URL_ENV] = base_url.rstrip("/") + "/demo/onemall-storage/"
    os.environ[secret_env_name(URL_ENV)] = secret_file.read_text(encoding="utf-8").strip()

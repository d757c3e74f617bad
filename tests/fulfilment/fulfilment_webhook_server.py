"""A real HTTP server standing in for a company's webhook adapter (object storage in onemall)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET = "webhook-test-secret"


class StorageAdapter:
    """Keeps objects per e-mail address; answers mamori's signed calls; remembers idempotency keys."""

    def __init__(self) -> None:
        self.objects: dict[str, list[dict[str, Any]]] = {
            "hanako.yamada@example.jp": [
                {"key": "profiles/1/photo.jpg", "bytes": 48213},
                {"key": "inquiries/1/receipt.pdf", "bytes": 120332},
            ],
            "taro.suzuki@example.jp": [{"key": "profiles/2/photo.jpg", "bytes": 30111}],
        }
        self.calls: list[dict[str, Any]] = []
        self.fail_next = 0  # answer 503 this many times (retries)
        self.done: dict[str, dict[str, Any]] = {}  # idempotency key -> answer
        self.restricted: set[str] = set()

    def answer(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        if key in self.done:
            return self.done[key]
        action = body["action"]
        result: dict[str, Any] = {}
        if action == "find":
            result = {
                "results": [
                    {"counts": {"objects": len(self.objects.get(s.get("email", ""), []))}} for s in body["subjects"]
                ]
            }
        elif action == "export":
            result = {"records": {"objects": self.objects.get(body["identities"].get("email", ""), [])}}
        elif action == "erase":
            erased = sum(len(self.objects.pop(s.get("email", ""), [])) for s in body["subjects"])
            result = {"erased": {"objects": erased}}
        elif action == "restrict":
            self.restricted.add(body["identities"].get("email", ""))
            result = {"changed": {"objects": len(self.objects.get(body["identities"].get("email", ""), []))}}
        elif action == "rectify":
            result = {"changed": {}}
        if action in ("erase", "restrict"):
            self.done[key] = result
        return result


def start(adapter: StorageAdapter) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            timestamp = self.headers["X-Mamori-Timestamp"]
            expected = (
                "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
            )
            body = json.loads(raw)
            adapter.calls.append(
                {
                    "action": body["action"],
                    "key": self.headers["Idempotency-Key"],
                    "signed": hmac.compare_digest(expected, self.headers["X-Mamori-Signature"]),
                }
            )
            if not adapter.calls[-1]["signed"]:
                self.send_response(401)
                self.end_headers()
                return
            if adapter.fail_next:
                adapter.fail_next -= 1
                self.send_response(503)
                self.end_headers()
                return
            data = json.dumps(adapter.answer(body, self.headers["Idempotency-Key"])).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/mamori"

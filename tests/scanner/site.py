"""The scanner's faulty test site: a threaded http.server on 127.0.0.1 (a free port), nothing else.

It embeds mamori's banner from the live test server and does four things wrong against
tests/scanner/faultyshop/map.yaml, each on purpose:
1. /tag-before-consent.js runs untagged and sets `fa_analytics` (an analytics cookie) at once;
2. /analytics.js (waits for analytics consent) sets `fa_mystery`, which the map does not declare;
3. /prefs.js (waits for preferences consent) sets `fa_pref` for 400 days; the map says 30 days;
4. a widget iframe from http://localhost:PORT (another site than 127.0.0.1) loads on consent,
   though the map promises no third-party embeds (IC5).
The page itself sets `shop_session` (declared, essential) by Set-Cookie.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Faulty shop</title>
<script src="{mamori}/consent/banner.js" data-site="faultyshop"></script></head>
<body><h1>Faulty shop</h1><p>A test page with deliberate faults.</p>
<script src="/tag-before-consent.js"></script>
<script type="text/plain" data-category="analytics" src="/analytics.js"></script>
<script type="text/plain" data-category="preferences" src="/prefs.js"></script>
<iframe data-src="http://localhost:{port}/widget.html" data-category="preferences" title="widget"></iframe>
</body></html>"""
SCRIPTS = {
    "/tag-before-consent.js": "document.cookie='fa_analytics=1; path=/; max-age=3600';",
    "/analytics.js": "document.cookie='fa_mystery=1; path=/; max-age=86400';",
    "/prefs.js": "document.cookie='fa_pref=wide; path=/; max-age=' + 400 * 86400;",
}


@contextmanager
def faulty_site(mamori_url: str) -> Iterator[str]:
    """Serve the site; yields its start URL on 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep the test output clean
            pass

        def do_GET(self) -> None:
            port = self.server.server_address[1]
            if self.path == "/":
                self.send(
                    PAGE.format(mamori=mamori_url, port=port),
                    "text/html",
                    cookie="shop_session=s1; Path=/; HttpOnly; SameSite=Lax",
                )
            elif self.path in SCRIPTS:
                self.send(SCRIPTS[self.path], "application/javascript")
            elif self.path == "/widget.html":
                self.send("<!doctype html><p>a widget of another site</p>", "text/html")
            else:
                self.send_error(404)

        def send(self, body: str, kind: str, cookie: str = "") -> None:
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if cookie:
                self.send_header("Set-Cookie", cookie)
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()

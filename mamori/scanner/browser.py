"""Driving Debian's Chromium through Playwright: crawl a site and record each consent state.

Every (page, region, state) is one visit in a fresh browser context, so no state leaks into the
next; several contexts run at once (`contexts`). The crawl takes the start URLs, then the site's
sitemap.xml, then links found on the pages, staying on the start URLs' origins, and stops at
`max_pages` pages or `max_seconds`, whichever comes first.

States: `none` (no choice made), `reject` and `accept` (mamori's banner driven through its buttons,
then the page loaded again, as a visitor's next page would be), and `gpc` (Global Privacy Control
on: `navigator.globalPrivacyControl` and the `Sec-GPC: 1` header). What is kept holds no personal
data: cookie names and attributes but never values, URLs without their query strings.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from mamori.scanner.sites import host_of, same_site, site_of, without_query

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STATES = ("none", "reject", "accept", "gpc")
HOOKS_JS = (Path(__file__).resolve().parent / "static" / "scanner" / "hooks.js").read_text("utf-8")
GPC_JS = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true, configurable: true});"
STORAGE_JS = """async () => {
  const keys = s => { try { return Object.keys(s).sort(); } catch (e) { return []; } };
  let idb = [];
  try { if (indexedDB.databases) idb = (await indexedDB.databases()).map(d => d.name).sort(); } catch (e) {}
  return {local: keys(localStorage), session: keys(sessionStorage), indexeddb: idb};
}"""
CONSENT_MODE_JS = """() => (Array.isArray(window.dataLayer) ? window.dataLayer : [])
  .filter(e => e && e[0] === 'consent')
  .map(e => ({command: String(e[1]), params: Object.assign({}, e[2] || {})}))"""
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"
NOT_PAGES = (".pdf", ".zip", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".mp4", ".mp3", ".csv", ".xml", ".json")
_STACK_URL = re.compile(r"(https?://[^\s()]+?):\d+:\d+")
# Playwright's resource types, as the kinds the report names.
REQUEST_KINDS = {
    "script": "script",
    "image": "pixel",
    "ping": "beacon",
    "xhr": "xhr",
    "fetch": "xhr",
    "eventsource": "xhr",
    "websocket": "xhr",
    "object": "plugin",
    "media": "media",
}


class ScanError(Exception):
    """The scan could not run at all (no browser, no Playwright, no reachable page)."""


@dataclass(frozen=True)
class Region:
    code: str
    locale: str
    timezone: str
    accept_language: str


REGIONS = {
    "JP": Region("JP", "ja-JP", "Asia/Tokyo", "ja-JP,ja;q=0.9,en;q=0.5"),
    "EU": Region("EU", "fr-FR", "Europe/Paris", "fr-FR,fr;q=0.9,en;q=0.5"),
    "US-CA": Region("US-CA", "en-US", "America/Los_Angeles", "en-US,en;q=0.9"),
}


def regions_for(jurisdictions: Sequence[str]) -> list[str]:
    """The emulated regions a map's jurisdictions call for (JP first: mamori's home market)."""
    wanted = []
    if "JP" in jurisdictions:
        wanted.append("JP")
    if any(code in ("EEA", "UK") or code.startswith("EU") for code in jurisdictions):
        wanted.append("EU")
    if "US-CA" in jurisdictions:
        wanted.append("US-CA")
    return wanted or ["JP"]


@dataclass
class ScanOptions:
    urls: Sequence[str]
    max_pages: int = 10
    max_seconds: float = 300.0
    contexts: int = 2
    regions: Sequence[str] = ("JP",)
    states: Sequence[str] = STATES
    screenshots: bool = True
    settle_ms: int = 2500  # the longest wait for the network to go quiet after a load
    executable: Path = CHROMIUM
    progress: Callable[[str], None] | None = None


@dataclass
class _Recorder:
    """What one visit's browser context saw, filled in by Playwright's event callbacks."""

    page_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    http_setters: dict[str, str] = field(default_factory=dict)
    script_setters: dict[str, str] = field(default_factory=dict)
    initiators: dict[str, str] = field(default_factory=dict)
    recording: bool = True

    def on_request(self, request: Any) -> None:
        if not self.recording or not request.url.startswith(("http:", "https:")):
            return
        try:
            frame = request.frame
            frame_url, in_subframe = frame.url, frame.parent_frame is not None
        except Exception:  # service-worker requests have no frame
            frame_url, in_subframe = "", False
        kind = request.resource_type
        kind = ("iframe" if in_subframe else "document") if kind == "document" else REQUEST_KINDS.get(kind, "other")
        self.requests.append(
            {
                "url": without_query(request.url),
                "host": host_of(request.url),
                "kind": kind,
                "frame": without_query(frame_url),
            }
        )

    async def on_response(self, response: Any) -> None:
        try:
            headers = await response.headers_array()
        except Exception:  # the context closed while the response was read
            return
        for header in headers:
            if header["name"].lower() == "set-cookie":
                name = header["value"].split(";")[0].split("=")[0].strip()
                self.http_setters.setdefault(name, without_query(response.url))

    def on_script_cookie(self, _source: Any, name: str, stack: str) -> None:
        urls = _STACK_URL.findall(stack or "")
        self.script_setters.setdefault(name, without_query(urls[0]) if urls else without_query(self.page_url))

    def on_cdp_request(self, event: dict[str, Any]) -> None:
        initiator = event.get("initiator") or {}
        frames = (initiator.get("stack") or {}).get("callFrames") or []
        source = frames[0].get("url") if frames else initiator.get("url") or event.get("documentURL")
        if source:
            self.initiators.setdefault(without_query(event["request"]["url"]), without_query(source))


def _cookie(raw: dict[str, Any], page_host: str, now: float, recorder: _Recorder) -> dict[str, Any]:
    domain = raw.get("domain", "")
    expires = raw.get("expires", -1)
    persistent = expires is not None and expires > 0
    if raw["name"] in recorder.script_setters:
        set_by = {"kind": "script", "url": recorder.script_setters[raw["name"]]}
    elif raw["name"] in recorder.http_setters:
        set_by = {"kind": "http", "url": recorder.http_setters[raw["name"]]}
    else:
        set_by = {"kind": "unknown", "url": ""}
    return {
        "name": raw["name"],
        "domain": domain,
        "path": raw.get("path", "/"),
        "party": "first" if same_site(domain, page_host) else "third",
        "session": not persistent,
        "lifetime_days": round((expires - now) / 86400, 2) if persistent else None,
        "http_only": bool(raw.get("httpOnly")),
        "secure": bool(raw.get("secure")),
        "same_site": raw.get("sameSite", ""),
        "set_by": set_by,
    }


class Scanner:
    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        self.visits: list[dict[str, Any]] = []
        self.screenshots: dict[str, str] = {}
        self.pages: list[str] = []
        self.truncated = False
        self._origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in options.urls}
        self._deadline = 0.0
        self._done = 0

    # ------------------------------------------------------------------ the crawl

    def _say(self, message: str) -> None:
        if self.options.progress:
            self.options.progress(message)

    def _admit(self, url: str, queue: asyncio.Queue[tuple[str, str, str]]) -> None:
        url = urldefrag(url)[0]
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" not in self._origins or url in self.pages:
            return
        if parts.path.lower().endswith(NOT_PAGES):
            return  # a download, not a page: Chromium would only save it
        if len(self.pages) >= self.options.max_pages:
            self.truncated = True
            return
        self.pages.append(url)
        for region in self.options.regions:
            for state in self.options.states:
                queue.put_nowait((url, region, state))

    async def _sitemap(self, browser: Any) -> list[str]:
        found: list[str] = []
        context = await browser.new_context()
        try:
            for origin in sorted(self._origins):
                try:
                    response = await context.request.get(f"{origin}/sitemap.xml", timeout=5000)
                    if response.ok:
                        found += re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", await response.text())
                except Exception:  # noqa: S112 - no sitemap is normal: links are followed instead
                    continue
        finally:
            await context.close()
        return found

    async def run(self) -> dict[str, Any]:
        try:
            from playwright.async_api import async_playwright
        except ImportError as exc:
            raise ScanError("playwright is not installed: pip install 'mamori[scan]'") from exc
        if not self.options.executable.exists():
            raise ScanError(f"{self.options.executable} is missing: apt-get install -y chromium")
        started = time.time()
        self._deadline = time.monotonic() + self.options.max_seconds
        queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(self.options.executable), args=CHROMIUM_ARGS)
            try:
                for url in self.options.urls:
                    self._admit(url, queue)
                for url in await self._sitemap(browser):
                    self._admit(url, queue)
                count = max(1, self.options.contexts)
                workers = [asyncio.create_task(self._worker(browser, queue)) for _ in range(count)]
                await queue.join()
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
            finally:
                await browser.close()
        order = {state: i for i, state in enumerate(STATES)}
        self.visits.sort(key=lambda v: (self.pages.index(v["page"]), v["region"], order.get(v["state"], 9)))
        return {
            "started_at": started,
            "finished_at": time.time(),
            "pages": self.pages,
            "truncated": self.truncated,
            "regions": list(self.options.regions),
            "states": list(self.options.states),
            "visits": self.visits,
            "screenshots": self.screenshots,
        }

    async def _worker(self, browser: Any, queue: asyncio.Queue[tuple[str, str, str]]) -> None:
        total = len(self.options.regions) * len(self.options.states)
        while True:
            url, region, state = await queue.get()
            try:
                if time.monotonic() > self._deadline:
                    self.truncated = True
                    continue
                visit, links = await self._visit(browser, url, REGIONS[region], state)
                self.visits.append(visit)
                for link in links:
                    self._admit(link, queue)
                self._done += 1
                self._say(f"{self._done}/{len(self.pages) * total} {state:<6} {region:<5} {url}")
            finally:
                queue.task_done()

    # ------------------------------------------------------------------ one visit

    async def _settle(self, page: Any) -> None:
        # A page that never goes quiet is recorded as it is by then.
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("networkidle", timeout=self.options.settle_ms)

    async def _visit(self, browser: Any, url: str, region: Region, state: str) -> tuple[dict[str, Any], list[str]]:
        headers = {"Accept-Language": region.accept_language}
        if state == "gpc":
            headers["Sec-GPC"] = "1"
        context = await browser.new_context(
            locale=region.locale,
            timezone_id=region.timezone,
            extra_http_headers=headers,
            viewport={"width": 1280, "height": 800},
        )
        recorder = _Recorder(page_url=url)
        visit: dict[str, Any] = {"page": url, "region": region.code, "state": state, "error": ""}
        links: list[str] = []
        try:
            await context.expose_binding("__mamoriScanCookie", recorder.on_script_cookie)
            await context.add_init_script(HOOKS_JS)
            if state == "gpc":
                await context.add_init_script(GPC_JS)
            context.on("request", recorder.on_request)
            context.on("response", recorder.on_response)
            page = await context.new_page()
            cdp = await context.new_cdp_session(page)
            cdp.on("Network.requestWillBeSent", recorder.on_cdp_request)
            await cdp.send("Network.enable")
            await page.goto(url, wait_until="load", timeout=30000)
            await self._settle(page)
            visit["banner_shown"] = await page.locator("#mamori-cb").count() > 0
            if state == "none":
                links = [urljoin(url, link) for link in await page.evaluate(LINKS_JS)]
            visit["choice_made"] = False
            if state in ("reject", "accept"):
                button = page.locator(f"#mamori-cb button[data-a={state}]")
                try:
                    await button.wait_for(state="visible", timeout=4000)
                except Exception:
                    visit["error"] = "banner_not_found"
                else:
                    # "After the choice" is what the next page view shows: what ran before the
                    # click belongs to the no-choice state.
                    recorder.requests.clear()
                    await button.click()
                    await page.wait_for_timeout(200)
                    await page.reload(wait_until="load", timeout=30000)
                    await self._settle(page)
                    visit["choice_made"] = True
            visit["gpc_note_shown"] = await page.locator("#mamori-note").count() > 0
            visit["storage"] = await page.evaluate(STORAGE_JS)
            visit["consent_mode"] = await page.evaluate(CONSENT_MODE_JS)
            now = time.time()
            page_host = host_of(url)
            visit["cookies"] = sorted(
                (_cookie(raw, page_host, now, recorder) for raw in await context.cookies()),
                key=lambda c: (c["name"], c["domain"]),
            )
            visit["requests"] = self._third_party(recorder, page_host)
            if self.options.screenshots and url == self.pages[0] and region.code == self.options.regions[0]:
                shot = await page.screenshot(type="jpeg", quality=45)
                self.screenshots[state] = base64.b64encode(shot).decode("ascii")
        except Exception as exc:  # one broken page must not end the scan; the report shows it
            visit["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            visit.setdefault("cookies", [])
            visit.setdefault("requests", [])
        finally:
            recorder.recording = False
            await context.close()
        return visit, links

    @staticmethod
    def _third_party(recorder: _Recorder, page_host: str) -> list[dict[str, Any]]:
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for request in recorder.requests:
            if same_site(request["host"], page_host):
                continue
            key = (request["url"], request["kind"])
            if key not in seen:
                initiator = recorder.initiators.get(request["url"]) or request["frame"]
                seen[key] = {**request, "site": site_of(request["host"]), "initiator": initiator}
        return sorted(seen.values(), key=lambda r: (r["host"], r["kind"], r["url"]))


def scan_site(options: ScanOptions) -> dict[str, Any]:
    """Run a scan to the end and return what was seen (see Scanner.run).

    The browser runs on an event loop of its own thread: callers may be Django views, jobs or
    tests that already hold an event loop (Playwright's sync API keeps one).
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = asyncio.run(Scanner(options).run())
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="mamori-scan")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]

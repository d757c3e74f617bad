"""What every page must pass in a real browser: no sideways scrolling, no serious or critical axe-core
violation, and on a Japanese page no English UI string and no `lang="en"` over Japanese text.

axe-core comes from the `axe-playwright-python` package (a dev dependency that bundles `axe.min.js`):
the file is read from the installed package and injected into the page, never fetched from a CDN.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mamori.settings import PACKAGE_DIR

CATALOGUE = PACKAGE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"
SERIOUS = ("serious", "critical")
# Words that read the same in both languages or are names, never UI text to translate.
NOT_UI = {"mamori", "English", "日本語", "OK"}


def axe_file() -> Path:
    axe = pytest.importorskip(
        "axe_playwright_python", reason="axe-playwright-python is not installed (pip install -e .[dev])"
    )
    return Path(axe.__file__).parent / "axe.min.js"


def with_axe(context: Any) -> Any:
    """The browser context loads axe-core into every page it opens (before the page's own scripts)."""
    context.add_init_script(path=str(axe_file()))
    return context


@functools.cache
def translated_msgids() -> tuple[str, ...]:
    """English UI strings of the catalogue that have a Japanese translation: seeing one of them on a
    Japanese page means a string escaped translation. Strings with placeholders are cut at them, and
    only pieces of two words or more are kept (a single word such as "Status" may be a proper name)."""
    pofile = pytest.importorskip("babel.messages.pofile", reason="Babel is not installed (pip install -e .[dev])")
    with CATALOGUE.open("rb") as handle:
        catalog = pofile.read_po(handle)
    found: set[str] = set()
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(string == ids[0] for string in strings):
            continue  # the same in both languages
        for msgid in ids:
            for piece in re.split(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{.*?\}|\n", msgid):
                piece = piece.strip(" .:;,()·\u2014\u2013-")
                if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 2 and piece not in NOT_UI:
                    found.add(piece)
    return tuple(sorted(found, key=len, reverse=True))


def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # MAMORI_SCREENSHOTS is the older browser tests' name for the same folder.
    configured = os.environ.get("MAMORI_SCREENSHOT_DIR") or os.environ.get("MAMORI_SCREENSHOTS")
    folder = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Elements reaching past the right edge, unless they sit in a box that scrolls by itself (a wide
# table in its wrapper): the page itself must never scroll sideways.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrollsInside = e => {
    for (let box = e.parentElement; box && box !== document.body; box = box.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && getComputedStyle(e).position !== 'fixed')
    .filter(e => !scrollsInside(e))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
  if (document.documentElement.scrollWidth > width + 1) wide.unshift('the page scrolls sideways');
  return wide;
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n')[1]),
  }));
}"""

VISIBLE_TEXT_JS = "() => document.body.innerText"

ENGLISH_OVER_JAPANESE_JS = """() => [...document.querySelectorAll('[lang]')]
  .filter(e => e.getAttribute('lang').startsWith('en') && /[\\u3040-\\u30ff\\u4e00-\\u9fff]/.test(e.innerText || ''))
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''))"""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def assert_none(self) -> None:
        assert not self.problems, "\n".join(["pages failed their checks:", *self.problems])


def check_page(page: Any, name: str, language: str, findings: Findings, shots: Path, width: int) -> None:
    """Screenshot the page as it is now and run every check on it, recording what fails."""
    where = f"{name} [{language}, {width}px]"
    page.screenshot(path=str(shots / f"{name}-{language}-{width}.png"), full_page=True)
    if page.evaluate("document.documentElement.lang") != language:
        findings.add(where, f"<html lang> is {page.evaluate('document.documentElement.lang')!r}")
    if wide := page.evaluate(OVERFLOW_JS):
        findings.add(where, f"wider than the screen: {wide}")
    for violation in page.evaluate(AXE_JS):
        findings.add(where, f"axe {violation['impact']} {violation['id']} ({violation['help']}): {violation['nodes']}")
    if language == "ja":
        text = page.evaluate(VISIBLE_TEXT_JS)
        english = [
            msgid for msgid in translated_msgids() if re.search(rf"(?<![A-Za-z]){re.escape(msgid)}(?![A-Za-z])", text)
        ]
        if english:
            findings.add(where, f"English UI strings on the Japanese page: {english[:8]}")
        if marked := page.evaluate(ENGLISH_OVER_JAPANESE_JS):
            findings.add(where, f'lang="en" over Japanese text: {marked}')

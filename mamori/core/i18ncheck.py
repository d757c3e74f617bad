"""Keep the Japanese catalog complete.

    python -m mamori.core.i18ncheck            # fail if a string has no Japanese or a .mo is stale
    python -m mamori.core.i18ncheck --extract  # refresh the .po files from the sources (needs xgettext)
    python -m mamori.core.i18ncheck --compile  # write the .mo files from the .po files

The .mo files are committed (compiled with Babel, pure Python) so that a fresh machine
without GNU gettext serves Japanese. With --extract the check also proves that every
translatable string in the sources is in the catalog.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[1]
LOCALE_DIR = PACKAGE / "locale"
LANGUAGES = ["ja"]
DOMAINS = ["django", "djangojs"]


def _po_files() -> list[Path]:
    return [
        LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
        for lang in LANGUAGES
        for domain in DOMAINS
        if (LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po").exists()
    ]


def _compiled(po_path: Path) -> bytes:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _messages(mo: bytes) -> dict[object, object]:
    """What a compiled catalog translates, leaving out the header (its dates change on every extract)."""

    def key(value: object) -> object:
        return tuple(value) if isinstance(value, (list, tuple)) else value  # plural forms come as lists

    return {key(message.id): key(message.string) for message in read_mo(io.BytesIO(mo)) if message.id}


def problems_in(po_path: Path) -> list[str]:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id:
            continue
        where = ", ".join(f"{file}:{line}" for file, line in message.locations[:2]) or "?"
        label = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            found.append(f"{po_path.name}: fuzzy translation for {label!r} ({where})")
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if not all(strings):
            found.append(f"{po_path.name}: no Japanese for {label!r} ({where})")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or _messages(mo_path.read_bytes()) != _messages(_compiled(po_path)):
        found.append(f"{mo_path.name} is stale: run python -m mamori.core.i18ncheck --compile")
    return found


def extract() -> None:
    if shutil.which("xgettext") is None:
        raise SystemExit("--extract needs GNU gettext (xgettext); apt-get install gettext")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
    os.environ.setdefault("MAMORI_SECRET_KEY", "i18n-extraction-only-" + "x" * 32)
    os.environ.setdefault("MAMORI_ENCRYPTION_KEYS", "kN2m9yqH0cX1b7WJ3wO2Qz3oQe2r5cB1s8Xy6tQd0hE=")
    # Imported after the environment above is set (settings read it on import).
    import django
    from django.core.management import call_command

    django.setup()
    cwd = Path.cwd()
    os.chdir(PACKAGE)
    try:
        for domain in DOMAINS:
            call_command(
                "makemessages",
                locale=LANGUAGES,
                domain=domain,
                no_obsolete=True,
                add_location="file",
                verbosity=0,
                ignore_patterns=["static/mamori/vendor/*"],
            )
    finally:
        os.chdir(cwd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mamori.core.i18ncheck")
    parser.add_argument("--extract", action="store_true")
    parser.add_argument("--compile", action="store_true")
    options = parser.parse_args(argv)
    if options.extract:
        extract()
    if options.compile:
        for po_path in _po_files():
            po_path.with_suffix(".mo").write_bytes(_compiled(po_path))
    found = [problem for po_path in _po_files() for problem in problems_in(po_path)]
    for problem in found:
        print(problem, file=sys.stderr)
    if not _po_files():
        print("no translation catalogs found under mamori/locale", file=sys.stderr)
        return 1
    if not found:
        print(f"translations complete: {', '.join(p.relative_to(PACKAGE).as_posix() for p in _po_files())}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())

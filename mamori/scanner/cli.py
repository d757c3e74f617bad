"""`mamori scan URL... [--organisation ORG | --map PATH] [--format json] [--fail-on violations]`.

With `--map` the scan reads only the map files: no settings, no database, so a CI job can run it
on a fresh clone (mamori/cli.py PURE_COMMANDS). With `--organisation` it compares with the map
applied in mamori's database and stores the scan in the console's history.

Exit codes: 0 done, 1 findings at or above `--fail-on`, 2 bad input or the scan could not run.
Progress goes to standard error when it is a terminal, so CI logs and pipes stay quiet.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mamori.catalog.mapfile import MapReadError, load_map
from mamori.scanner.browser import REGIONS, STATES, ScanError, ScanOptions, regions_for, scan_site
from mamori.scanner.compare import compare
from mamori.scanner.report import report_data, to_html, to_json
from mamori.scanner.wording import finding_text, say

FAIL_LEVELS = {"violations": ("violation",), "warnings": ("violation", "warning"), "never": ()}


def build_parser(prog: str = "mamori scan") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Scan a website against its privacy map.")
    parser.add_argument("urls", nargs="+", metavar="URL", help="start pages (http or https)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--organisation", help="compare with this organisation's applied map and keep the scan")
    source.add_argument("--map", help="compare with this map (YAML file or folder); nothing is stored")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="standard output (default text)")
    parser.add_argument("--fail-on", choices=tuple(FAIL_LEVELS), default="never", help="exit 1 on these findings")
    parser.add_argument("--report", metavar="FILE", help="also write the HTML report to FILE")
    parser.add_argument("--lang", choices=("en", "ja"), default="en", help="language of the text and HTML report")
    parser.add_argument("--pages", type=int, default=10, help="most pages to visit (default 10)")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds before no new visit starts (300)")
    parser.add_argument("--contexts", type=int, default=2, help="browser contexts at once (default 2)")
    parser.add_argument("--regions", default="", help=f"comma-separated, of {', '.join(REGIONS)} (default: the map's)")
    parser.add_argument("--states", default=",".join(STATES), help=f"comma-separated, of {', '.join(STATES)}")
    return parser


def _listed(raw: str, allowed: Sequence[str], what: str) -> list[str]:
    items = [item.strip() for item in raw.split(",") if item.strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(unknown)}: use {', '.join(allowed)}")
    return items


def _map_from_file(path: str) -> Any:
    try:
        result = load_map([path])
    except MapReadError as exc:
        raise ValueError(str(exc)) from exc
    if not result.ok or result.map is None:
        problems = "\n".join(str(problem) for problem in result.problems)
        raise ValueError(f"{problems}\n{path}: the map has problems; run `mamori check {path}`")
    return result.map


def _map_from_database(organisation: str) -> Any:
    # Imported here: with --map the command runs without Django settings (CI on a fresh clone).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
    import django

    django.setup()
    from mamori.catalog.in_force import NoMapApplied, map_in_force

    try:
        return map_in_force(organisation)[1]
    except NoMapApplied:
        message = f"no applied map for organisation '{organisation}': run `mamori map apply PATH` first"
        raise ValueError(message) from None


def main(argv: Sequence[str] | None = None, prog: str = "mamori scan") -> int:
    args = build_parser(prog).parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        for url in args.urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"{url}: not an http(s) URL")
        if args.pages < 1 or args.contexts < 1 or args.time_limit <= 0:
            raise ValueError("--pages, --contexts and --time-limit must be positive")
        privacy_map = _map_from_database(args.organisation) if args.organisation else _map_from_file(args.map)
        regions = _listed(args.regions, tuple(REGIONS), "region") or regions_for(privacy_map.jurisdiction_codes)
        states = _listed(args.states, STATES, "state") or list(STATES)
    except ValueError as exc:
        print(f"mamori scan: {exc}", file=sys.stderr)
        return 2
    progress = (lambda line: print(line, file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    options = ScanOptions(
        urls=args.urls,
        max_pages=args.pages,
        max_seconds=args.time_limit,
        contexts=args.contexts,
        regions=regions,
        states=states,
        progress=progress,
    )
    try:
        scan = scan_site(options)
    except ScanError as exc:
        print(f"mamori scan: {exc}", file=sys.stderr)
        return 2
    findings = compare(privacy_map, scan)
    data = report_data(scan, findings, privacy_map.organisation.id)
    if args.organisation:
        # Django's parts are imported only here: with --map the command runs without settings.
        from mamori.audit.services import Actor
        from mamori.scanner.services import record_scan

        stored = record_scan(args.organisation, data, Actor.cli("mamori scan"))
        print(f"stored as scan #{stored.pk}", file=sys.stderr)
    if args.report:
        Path(args.report).write_text(to_html(data, args.lang), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(to_json(data), ensure_ascii=False, indent=2))
    else:
        print(say("report.counts", args.lang, **data["summary"]))
        for finding in data["findings"]:
            print(f"{finding['severity']}: {finding_text(finding, args.lang)}")
            for item in finding["evidence"][:3]:
                print(f"    {item['state']} {item['region']} {item['page']} <- {item['initiator'] or '?'}")
    failing = FAIL_LEVELS[args.fail_on]
    return 1 if any(finding["severity"] in failing for finding in data["findings"]) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

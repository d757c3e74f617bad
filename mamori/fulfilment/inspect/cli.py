"""`mamori map inspect MAP [--format json]`: no Django settings needed, like `mamori check`.

Exit status: 0 nothing found, 1 findings, 2 the map cannot be read or is invalid.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from mamori.catalog.mapfile import MapReadError, load_map
from mamori.catalog.mapfile.i18n import _
from mamori.fulfilment.inspect import inspect_map

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_UNREADABLE = 2


def main(argv: list[str], prog: str = "mamori map inspect") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=_("Compare a privacy map with the live SQL databases it names (read-only)."),
    )
    parser.add_argument("path", metavar="MAP", help=_("a map file or a folder of map files"))
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    try:
        result = load_map([args.path])
    except MapReadError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNREADABLE
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(_("{path}: the map is invalid; run `mamori check` first").format(path=args.path), file=sys.stderr)
        return EXIT_UNREADABLE
    findings, inspected = inspect_map(result, os.environ)
    summary: dict[str, int] = {}
    for finding in findings:
        summary[finding.kind] = summary.get(finding.kind, 0) + 1
    if args.format == "json":
        document = {
            "ok": not findings,
            "map": args.path,
            "systems": inspected,
            "summary": summary,
            "findings": [finding.to_dict() for finding in findings],
        }
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for finding in findings:
            print(finding)
        counts = ", ".join(f"{kind}: {number}" for kind, number in sorted(summary.items()))
        if findings:
            line = _("{path}: {count} findings in {systems} systems ({counts})").format(
                path=args.path, count=len(findings), systems=len(inspected), counts=counts
            )
        else:
            line = _("{path}: nothing found in {systems} systems").format(path=args.path, systems=len(inspected))
        print(line, file=sys.stderr)
    return EXIT_FOUND if findings else EXIT_OK

"""`mamori check PATH...`: validate privacy maps without settings or a database.

Each PATH (a file or a folder) is one map. Problems go to stdout as `FILE:LINE:COL: message`,
a one-line summary per map to stderr. Exit status: 0 all valid, 1 a map is invalid, 2 a file
cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import MapReadError, load_map
from .i18n import _

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
MAP_SUFFIXES = (".yaml", ".yml")


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=_("Check privacy maps and report every problem as FILE:LINE:COL: message."),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help=_("a map file or a folder of map files"))
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help=_("json prints one document describing every map, for machines"),
    )
    return parser


def _count(problems: int) -> str:
    return _("1 problem") if problems == 1 else _("{count} problems").format(count=problems)


def main(argv: list[str], prog: str = "mamori check") -> int:
    args = _parser(prog).parse_args(argv)
    status = EXIT_OK
    reports: list[dict[str, Any]] = []
    for path in args.paths:
        if Path(path).is_file() and Path(path).suffix.lower() not in MAP_SUFFIXES:
            # `mamori check examples/*` also lists a README or a schema file: not a map, not an error.
            if args.format == "text":
                print(_("{path}: skipped (not a .yaml or .yml file)").format(path=path), file=sys.stderr)
            continue
        report: dict[str, Any] = {"path": path, "ok": False, "problems": [], "error": None}
        reports.append(report)
        try:
            result = load_map([path])
        except MapReadError as exc:
            status = max(status, EXIT_UNREADABLE)
            report["error"] = str(exc)
            if args.format == "text":
                print(str(exc), file=sys.stderr)
            continue
        report["ok"] = result.ok
        report["problems"] = [problem.to_dict() for problem in result.problems]
        if not result.ok:
            status = max(status, EXIT_INVALID)
        if args.format == "text":
            for problem in result.problems:
                print(problem)
            summary = _("ok") if result.ok else _count(len(result.problems))
            print(f"{path}: {summary}", file=sys.stderr)
    if args.format == "json":
        json.dump({"ok": status == EXIT_OK, "maps": reports}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return status

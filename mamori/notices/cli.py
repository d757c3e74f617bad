"""`mamori notices render PATH --kind ... --lang ... --format ...`: a notice on standard output.

Rendering reads only the map files: no settings, no database. `main()` runs without Django, so
it can be a pure command of `mamori` (mamori/cli.py PURE_COMMANDS); the management command
`notices` wraps it too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from mamori.catalog.mapfile import MapReadError, load_map
from mamori.notices.builders import KINDS, NotInScope, Options, UnknownCollectionPoint, build_notice
from mamori.notices.document import standalone_html, to_html, to_markdown


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def build_parser(prog: str = "mamori notices") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Render the notices of a privacy map.")
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="print one notice of a map (a YAML file or a folder)")
    render.add_argument("path", metavar="PATH", help="privacy map file or folder")
    render.add_argument("--kind", choices=KINDS, default="privacy")
    render.add_argument("--lang", choices=("en", "ja"), default="en")
    render.add_argument("--format", choices=("md", "html"), default="md")
    render.add_argument("--point", help="collection point id (--kind collection); default: every point")
    render.add_argument("--fragment", action="store_true", help="HTML: only the <article>, to embed in a page")
    render.add_argument("--effective-from", type=date.fromisoformat, help="YYYY-MM-DD printed as the effective date")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "mamori notices", stdout: Writer | None = None) -> int:
    out = stdout or sys.stdout
    args = build_parser(prog).parse_args(list(sys.argv[1:] if argv is None else argv))

    try:
        result = load_map([args.path])
    except MapReadError as exc:
        print(f"{args.path}: cannot read: {exc}", file=sys.stderr)
        return 2
    if not result.ok or result.map is None:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"{args.path}: the map has problems; run `mamori check {args.path}`", file=sys.stderr)
        return 2
    options = Options(language=args.lang, effective_from=args.effective_from)
    try:
        notice = build_notice(result.map, args.kind, options, point=args.point)
    except (NotInScope, UnknownCollectionPoint) as exc:
        print(f"{args.path}: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 1
    if args.format == "md":
        out.write(to_markdown(notice))
    else:
        out.write(to_html(notice) + "\n" if args.fragment else standalone_html(notice))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

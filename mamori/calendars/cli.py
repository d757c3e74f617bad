"""`mamori calendar ...`: business-day arithmetic from the shell, without Django settings.

    mamori calendar add-business-days --calendar JP 2026-12-25 10     -> 2027-01-15
    mamori calendar is-business-day --calendar JP 2027-01-04          -> yes
    mamori calendar holidays --calendar JP 2027                       -> date<TAB>names, one a line
    mamori calendar add-months-gdpr --calendar EU-FR 2026-01-31 1     -> 2026-03-02

Bad input (a malformed date, an unknown calendar, a negative count) prints a message on stderr
and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from mamori.calendars.business import CalendarError, get_calendar, normalise_calendar_id
from mamori.calendars.deadlines import add_months_gdpr

USAGE_ERROR = 2


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (use YYYY-MM-DD)") from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r} (a whole number, 0 or more)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: must not be negative")
    return value


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid year {text!r}") from None
    if not date.min.year <= value <= date.max.year:
        raise argparse.ArgumentTypeError(f"invalid year {text!r}")
    return value


def _calendar_id(text: str) -> str:
    try:
        return normalise_calendar_id(text)
    except CalendarError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Business days and deadlines. The day of receipt is never counted.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--calendar",
            required=True,
            type=_calendar_id,
            metavar="ID",
            help="JP, US-CA, UK or EU-XX (an EU member state's ISO code)",
        )
        sub.add_argument(
            "--closure",
            action="append",
            default=[],
            type=_iso_date,
            metavar="YYYY-MM-DD",
            help="an extra company closure day (repeatable)",
        )
        return sub

    add = command("add-business-days", "Print the COUNT-th business day after START.")
    add.add_argument("start", type=_iso_date, metavar="START")
    add.add_argument("count", type=_count, metavar="COUNT")

    check = command("is-business-day", "Print yes or no.")
    check.add_argument("day", type=_iso_date, metavar="DATE")

    listing = command("holidays", "List the closed days of YEAR with their names (weekends left out).")
    listing.add_argument("year", type=_year, metavar="YEAR")
    listing.add_argument("--language", default=None, help="language of holiday names, e.g. ja")

    months = command(
        "add-months-gdpr",
        "Print the end of a GDPR period of MONTHS months for a request received on RECEIVED.",
    )
    months.add_argument("received", type=_iso_date, metavar="RECEIVED")
    months.add_argument("months", type=_count, metavar="MONTHS")
    return parser


def main(argv: Sequence[str], prog: str = "mamori calendar") -> int:
    parser = _parser(prog)
    try:
        options = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse has already printed usage and the reason on stderr
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR

    try:
        calendar = get_calendar(options.calendar, closures=options.closure, language=getattr(options, "language", None))
        if options.command == "add-business-days":
            print(calendar.add_business_days(options.start, options.count).isoformat())
        elif options.command == "is-business-day":
            print("yes" if calendar.is_business_day(options.day) else "no")
        elif options.command == "holidays":
            for closed in calendar.closed_days(options.year):
                print(f"{closed.day.isoformat()}\t{closed.label}")
        elif options.command == "add-months-gdpr":
            print(add_months_gdpr(options.received, options.months, calendar=calendar).isoformat())
    except (CalendarError, OverflowError) as exc:
        message = str(exc) if isinstance(exc, CalendarError) else "the result is past the year 9999"
        print(f"{prog} {options.command}: error: {message}", file=sys.stderr)
        return USAGE_ERROR
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

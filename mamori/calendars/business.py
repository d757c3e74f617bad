"""Business calendars: which days count when a deadline is expressed in business days.

A calendar is named by an id that policies and the console store:

- ``JP``: Saturdays, Sundays, Japanese national holidays (including substitute holidays and the
  "citizens' holidays" sandwiched between two holidays) and the customary year-end closure
  Dec 29 - Jan 3.
- ``US-CA``: Saturdays, Sundays, the federal holidays and the California state holidays the company
  observes (``observed_state_holidays``; by default only the Day After Thanksgiving, which
  California businesses commonly close for: fewer holidays give the earlier, safer deadline).
- ``UK``: Saturdays, Sundays and the bank holidays of England (``holidays.UK(subdiv="ENG")``).
- ``EU-XX``: Saturdays, Sundays and the national public holidays of EU member state XX
  (ISO 3166 code; Greece is ``EU-GR``, ``EU-EL`` is accepted too). Regional holidays are not included.
- ``EEA-IS``, ``EEA-LI``, ``EEA-NO``: the same for the EEA states outside the EU.

Every calendar also takes company closures (dates the company is shut, set in the console).

Counting convention, shared by every function here: the day a request is received is never
counted. ``add_business_days(start, n)`` counts the first business day *after* ``start`` as day 1,
so the result is the n-th business day after ``start``, whatever kind of day ``start`` is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import holidays

from mamori.calendars._i18n import _
from mamori.core.errors import DomainError

SATURDAY, SUNDAY = 5, 6

# No legal or promised deadline comes close; the bound stops a typo from spinning for minutes.
MAX_BUSINESS_DAYS = 10_000

EU_MEMBER_STATES = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)
# The EU writes Greece as EL; ISO 3166 (and the holidays package) as GR.
_EU_ALIASES = {"EL": "GR"}

# The EEA is the EU plus Iceland, Liechtenstein and Norway; GDPR deadlines there roll over their holidays.
EEA_NON_EU_STATES = ("IS", "LI", "NO")

CALENDAR_IDS: tuple[str, ...] = (
    "JP",
    "US-CA",
    "UK",
    "CH",
    *(f"EU-{code}" for code in EU_MEMBER_STATES),
    *(f"EEA-{code}" for code in EEA_NON_EU_STATES),
)


class CalendarError(DomainError, ValueError):
    """A calendar or a deadline cannot be computed from the input given."""

    code = "calendar_error"


class UnknownCalendarError(CalendarError):
    code = "unknown_calendar"


@dataclass(frozen=True)
class ClosedDay:
    day: date
    names: tuple[str, ...]

    @property
    def label(self) -> str:
        return "; ".join(self.names)


def _is_year_end_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def require_date(value: object, what: str = "day") -> date:
    # A datetime is a date subclass, but which date it falls on depends on a time zone: make the
    # caller convert it explicitly (see deadlines.effective_receipt_date) instead of guessing.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a datetime.date, not {type(value).__name__}")
    return value


def _normalise_closures(closures: Mapping[date, str] | Iterable[date] | None) -> dict[date, str]:
    if closures is None:
        return {}
    items = closures.items() if isinstance(closures, Mapping) else ((day, "") for day in closures)
    return {require_date(day, "closure"): (name or "") for day, name in items}


class BusinessCalendar:
    """Weekends, public holidays and closures of one jurisdiction (see the module docstring)."""

    def __init__(
        self,
        calendar_id: str,
        public_holidays: holidays.HolidayBase,
        *,
        year_end_closure: bool = False,
        closures: Mapping[date, str] | Iterable[date] | None = None,
    ) -> None:
        self.calendar_id = calendar_id
        self._public = public_holidays
        self._year_end_closure = year_end_closure
        self._closures = _normalise_closures(closures)
        self.first_year: int = getattr(public_holidays, "start_year", date.min.year)
        self.last_year: int = getattr(public_holidays, "end_year", date.max.year)

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.calendar_id} closures={len(self._closures)}>"

    @property
    def has_year_end_closure(self) -> bool:
        return self._year_end_closure

    @property
    def closures(self) -> dict[date, str]:
        return dict(self._closures)

    def _checked(self, day: object) -> date:
        checked = require_date(day)
        if not self.first_year <= checked.year <= self.last_year:
            # Outside its range the holidays package silently reports no holidays at all, which
            # would make every weekday a business day; refuse rather than compute a wrong deadline.
            raise CalendarError(
                _("Calendar %(calendar)s covers the years %(first)d to %(last)d only; %(day)s is outside.")
                % {
                    "calendar": self.calendar_id,
                    "first": self.first_year,
                    "last": self.last_year,
                    "day": checked.isoformat(),
                }
            )
        return checked

    # -- single days ------------------------------------------------------------------------
    def public_holiday_names(self, day: date) -> list[str]:
        return list(self._public.get_list(self._checked(day)))

    def is_public_working_day(self, day: date) -> bool:
        """Not a Saturday, Sunday or public holiday: the legal notion of Reg. 1182/71 Art. 3(4).

        Company closures and the customary year-end closure are ignored on purpose: a controller
        cannot lengthen a legal period by closing its office.
        """
        checked = self._checked(day)
        return checked.weekday() not in (SATURDAY, SUNDAY) and checked not in self._public

    def closure_names(self, day: date) -> list[str]:
        """Why the day is closed, weekends aside: holiday names, year-end and company closures."""
        checked = self._checked(day)
        names = list(self._public.get_list(checked))
        if self._year_end_closure and _is_year_end_closure(checked):
            names.append(_("Year-end closure"))
        if checked in self._closures:
            names.append(self._closures[checked] or _("Company closure"))
        return names

    def is_business_day(self, day: date) -> bool:
        checked = self._checked(day)
        if checked.weekday() in (SATURDAY, SUNDAY) or checked in self._public:
            return False
        if self._year_end_closure and _is_year_end_closure(checked):
            return False
        return checked not in self._closures

    # -- arithmetic -------------------------------------------------------------------------
    def next_business_day(self, day: date) -> date:
        """The first business day strictly after ``day``."""
        current = self._checked(day) + timedelta(days=1)
        while not self.is_business_day(current):
            current += timedelta(days=1)
        return current

    def business_day_on_or_after(self, day: date) -> date:
        checked = self._checked(day)
        return checked if self.is_business_day(checked) else self.next_business_day(checked)

    def add_business_days(self, start: date, count: int) -> date:
        """The ``count``-th business day after ``start``; ``start`` itself is never counted.

        ``add_business_days(start, 0)`` is ``start``. A request received on Friday with a
        10-business-day clock is due on the 10th business day from the following Monday on.
        """
        current = self._checked(start)
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"count must be an int, not {type(count).__name__}")
        if count < 0:
            raise CalendarError(_("The number of business days must not be negative."))
        if count > MAX_BUSINESS_DAYS:
            raise CalendarError(_("At most %(max)d business days can be added.") % {"max": MAX_BUSINESS_DAYS})
        for _counted in range(count):
            current = self.next_business_day(current)
        return current

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after ``start`` up to and including ``end`` (negative if end < start).

        The inverse of :meth:`add_business_days`: when ``end`` is a business day,
        ``add_business_days(start, business_days_between(start, end)) == end``.
        """
        first, last = self._checked(start), self._checked(end)
        if last < first:
            return -self.business_days_between(last, first)
        return sum(1 for day in _days(first + timedelta(days=1), last) if self.is_business_day(day))

    def closed_days(self, year: int) -> list[ClosedDay]:
        """Every day of ``year`` closed for a named reason (weekends are not listed)."""
        self._checked(date(year, 1, 1))
        found = []
        for day in _days(date(year, 1, 1), date(year, 12, 31)):
            names = self.closure_names(day)
            if names:
                found.append(ClosedDay(day, tuple(names)))
        return found


# California state holidays (beyond the federal ones) a company may say it observes, by slug of the
# holidays package's English name. Most businesses work on the others (RULES.md "Request deadlines").
US_CA_STATE_HOLIDAYS = (
    "cesar_chavez_day",
    "day_after_thanksgiving",
    "diwali",
    "lincolns_birthday",
    "native_american_day",
    "susan_b_anthony_day",
)
US_CA_DEFAULT_OBSERVED = ("day_after_thanksgiving",)


def holiday_slug(name: str) -> str:
    """``Lincoln's Birthday (observed)`` -> ``lincolns_birthday``."""
    bare = name.removesuffix(" (observed)").replace("'", "")
    return "_".join("".join(ch if ch.isalnum() else " " for ch in bare.lower()).split())


class _ObservedHolidays:
    """California's holidays as one company keeps them: every federal holiday, and of the state's own
    only those it observes. Looks like the holidays package's object to BusinessCalendar."""

    def __init__(self, state: holidays.HolidayBase, federal: holidays.HolidayBase, observed: Iterable[str]) -> None:
        self._state, self._federal, self._observed = state, federal, frozenset(observed)
        self.start_year = getattr(state, "start_year", date.min.year)
        self.end_year = getattr(state, "end_year", date.max.year)

    def get_list(self, day: date) -> list[str]:
        names = list(self._state.get_list(day))
        if day in self._federal:
            return names or list(self._federal.get_list(day))
        return [name for name in names if holiday_slug(name) in self._observed]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and bool(self.get_list(day))


def _days(first: date, last: date) -> Iterator[date]:
    current = first
    while current <= last:
        yield current
        current += timedelta(days=1)


def _public_holidays(calendar_id: str, language: str | None) -> holidays.HolidayBase:
    if calendar_id == "JP":
        return _with_language(holidays.JP, None, language)
    if calendar_id == "US-CA":
        return _with_language(holidays.US, "CA", language)
    if calendar_id == "UK":
        return _with_language(holidays.UK, "ENG", language)
    if calendar_id == "CH":  # the federal holidays only: the cantons' own differ from one to the next
        return _with_language(holidays.CH, None, language)
    # Canonical EU and EEA ids carry the ISO 3166 code, which is also the class name in the package.
    return _with_language(getattr(holidays, calendar_id.split("-", 1)[1]), None, language)


def _with_language(cls: type[holidays.HolidayBase], subdiv: str | None, language: str | None) -> holidays.HolidayBase:
    return cls(subdiv=subdiv, language=_supported(cls, language))


def _supported(cls: type[holidays.HolidayBase], language: str | None) -> str | None:
    """The holidays package raises on a language a country lacks; fall back to its default."""
    if not language:
        return None
    supported = getattr(cls, "supported_languages", ()) or ()
    if language in supported:
        return language
    for candidate in supported:
        if candidate.split("_")[0] == language.split("-")[0].split("_")[0]:
            return candidate
    return None


def normalise_calendar_id(calendar_id: str) -> str:
    """Canonical spelling of a calendar id (``eu-el`` -> ``EU-GR``); raises on unknown ids."""
    wanted = (calendar_id or "").strip().upper().replace("_", "-")
    if wanted.startswith("EU-") and wanted[3:] in _EU_ALIASES:
        wanted = "EU-" + _EU_ALIASES[wanted[3:]]
    if wanted not in CALENDAR_IDS:
        raise UnknownCalendarError(
            _("Unknown calendar %(calendar)r; valid calendars: %(valid)s.")
            % {"calendar": calendar_id, "valid": ", ".join(CALENDAR_IDS)}
        )
    return wanted


def get_calendar(
    calendar_id: str,
    *,
    closures: Mapping[date, str] | Iterable[date] | None = None,
    language: str | None = None,
    observed_state_holidays: Iterable[str] | None = None,
) -> BusinessCalendar:
    """The business calendar for ``calendar_id`` plus the company's own ``closures``.

    ``closures`` maps a date to a label (or is just an iterable of dates). ``language`` picks the
    language of holiday names where the holidays package has it (``ja`` for ``JP``).
    ``observed_state_holidays`` (US-CA only): the state holidays the company closes for, as slugs
    of ``US_CA_STATE_HOLIDAYS``; None means ``US_CA_DEFAULT_OBSERVED``.
    """
    canonical = normalise_calendar_id(calendar_id)
    public: Any = _public_holidays(canonical, language)
    if canonical == "US-CA":
        observed = US_CA_DEFAULT_OBSERVED if observed_state_holidays is None else observed_state_holidays
        public = _ObservedHolidays(public, _with_language(holidays.US, None, language), observed)
    return BusinessCalendar(
        canonical,
        public,
        year_end_closure=canonical == "JP",
        closures=closures,
    )

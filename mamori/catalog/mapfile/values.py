"""Small value types of the map format (durations, bilingual text, ids, codes) for pydantic."""

from __future__ import annotations

import calendar
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from difflib import get_close_matches
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    Strict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from . import laws
from .i18n import _

DurationUnit = Literal["day", "business_day", "week", "month", "year", "session"]

# Bounds in calendar days, used only to tell whether one duration is surely shorter than another.
_SHORTEST_DAYS = {"day": 1, "business_day": 1, "week": 7, "month": 28, "year": 365}
_LONGEST_DAYS = {"day": 1, "business_day": 3, "week": 7, "month": 31, "year": 366}

_DURATION = re.compile(r"^\s*(\d+)\s+(business\s+days?|days?|weeks?|months?|years?)\s*$", re.IGNORECASE)
DURATION_HINT = "use e.g. '45 days', '10 business days', '24 months'"


def fail(message: str) -> PydanticCustomError:
    """A validation error whose message is shown as is."""
    return PydanticCustomError("mamori", "{message}", {"message": message})


@dataclass(frozen=True)
class Duration:
    """A period such as "45 days" or "10 business days"; `session` only for cookies."""

    amount: int
    unit: DurationUnit

    @classmethod
    def parse(cls, text: str) -> Duration:
        if text.strip().lower() == "session":
            return cls(0, "session")
        match = _DURATION.match(text)
        if not match:
            raise ValueError(text)
        unit = re.sub(r"\s+", "_", match.group(2).lower()).rstrip("s")
        return cls(int(match.group(1)), unit)  # type: ignore[arg-type]

    @property
    def is_session(self) -> bool:
        return self.unit == "session"

    def shortest_days(self) -> int:
        return self.amount * _SHORTEST_DAYS.get(self.unit, 0)

    def longest_days(self) -> int:
        return self.amount * _LONGEST_DAYS.get(self.unit, 0)

    def before(self, moment: datetime, zone: str | None = None) -> datetime:
        """`moment` minus this period: months and years by the calendar (the 31st becomes the
        month's last day); a business day as three calendar days, so nothing is disposed of early.

        With `zone` (the organisation's), the calendar is that zone's: `moment` is naive UTC (as
        company databases store it) and so is the answer, but the month and day are counted where
        the company is, so a hold ends on the local day the law counts."""
        return self._shift(moment, -1, zone)

    def after(self, moment: datetime, zone: str | None = None) -> datetime:
        """`moment` plus this period, by the same calendar as `before` (when a hold runs out)."""
        return self._shift(moment, 1, zone)

    def _shift(self, moment: datetime, sign: int, zone: str | None) -> datetime:
        if zone is not None and moment.tzinfo is None:
            local = moment.replace(tzinfo=UTC).astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
            shifted = self._shift(local, sign, None).replace(tzinfo=zoneinfo.ZoneInfo(zone))
            return shifted.astimezone(UTC).replace(tzinfo=None)
        unit, amount = self.unit, self.amount
        if unit in ("day", "week", "business_day"):
            per = {"day": 1, "week": 7, "business_day": 3}[unit]
            return moment + sign * timedelta(days=amount * per)
        months = amount * (12 if unit == "year" else 1) if unit in ("month", "year") else 0
        year, month = divmod(moment.year * 12 + moment.month - 1 + sign * months, 12)
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day)

    def is_surely_shorter_than(self, other: Duration) -> bool:
        if self.unit == other.unit:
            return self.amount < other.amount
        return self.longest_days() < other.shortest_days()

    def __str__(self) -> str:
        if self.is_session:
            return "session"
        word = self.unit.replace("_", " ")
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    return repr(value) if not isinstance(value, dict | list) else ("a mapping" if isinstance(value, dict) else "a list")


def _duration_validator(allow_session: bool) -> Any:
    def validate(value: Any) -> Duration:
        if isinstance(value, Duration):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = Duration.parse(value)
            except ValueError:
                raise fail(
                    _("{value} is not a valid duration: {hint}").format(value=_describe(value), hint=DURATION_HINT)
                ) from None
        else:
            raise fail(_("{value} is not a valid duration: {hint}").format(value=_describe(value), hint=DURATION_HINT))
        if parsed.is_session and not allow_session:
            raise fail(_("'session' is only a cookie duration: {hint}").format(hint=DURATION_HINT))
        return parsed

    return validate


_DURATION_SCHEMA = WithJsonSchema({"type": "string", "examples": ["45 days", "10 business days", "24 months"]})
DurationField = Annotated[
    Duration, PlainValidator(_duration_validator(False)), PlainSerializer(str, return_type=str), _DURATION_SCHEMA
]
CookieDurationField = Annotated[
    Duration, PlainValidator(_duration_validator(True)), PlainSerializer(str, return_type=str), _DURATION_SCHEMA
]


class LocalText(BaseModel):
    """Text shown to people, in English and Japanese."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    en: Annotated[str, BeforeValidator(lambda v: _nonempty(v))]
    ja: Annotated[str, BeforeValidator(lambda v: _nonempty(v))]

    def get(self, language: str) -> str:
        return self.ja if language.lower().startswith("ja") else self.en

    def __str__(self) -> str:
        return self.en


def _nonempty(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise fail(_("the text is empty"))
    return value


def _text_or_plain(value: Any) -> Any:
    if isinstance(value, str):
        return {"en": value, "ja": value}
    return value


def _bilingual_only(value: Any) -> Any:
    if isinstance(value, str):
        raise fail(_("expected the text in both languages, {en: ..., ja: ...}; got a plain string"))
    return value


# `Text` accepts a plain string for proper nouns; `BilingualText` insists on both languages.
Text = Annotated[LocalText, BeforeValidator(_text_or_plain)]
BilingualText = Annotated[LocalText, BeforeValidator(_bilingual_only)]

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _check_id(value: Any) -> Any:
    if isinstance(value, str) and not _ID.match(value):
        raise fail(
            _(
                "'{value}' is not a valid id: use lower-case letters, digits, '.', '_' and '-', "
                "starting with a letter or digit"
            ).format(value=value)
        )
    return value


Id = Annotated[str, BeforeValidator(_check_id)]


def _check_jurisdiction(value: Any) -> Any:
    if isinstance(value, str) and not laws.is_jurisdiction(value):
        message = _("unknown jurisdiction code '{value}': use JP, EU, EEA, UK, US-CA or EU-<member state>").format(
            value=value
        )
        raise fail(message + _suggest(value, laws.known_jurisdictions()))
    return value


JurisdictionCode = Annotated[str, BeforeValidator(_check_jurisdiction)]


def _check_calendar(value: Any) -> Any:
    if isinstance(value, str) and not laws.is_calendar(value):
        message = _("unknown calendar '{value}': use JP, UK, US-CA or EU-<member state>").format(value=value)
        raise fail(message + _suggest(value, laws.known_calendars()))
    return value


CalendarId = Annotated[str, BeforeValidator(_check_calendar)]

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _check_country(value: Any, allow_unknown: bool) -> Any:
    if not isinstance(value, str) or _COUNTRY.match(value) or (allow_unknown and value == "unknown"):
        return value
    extra = _(" or 'unknown'") if allow_unknown else ""
    raise fail(
        _("'{value}' is not a country code: use an ISO 3166-1 alpha-2 code such as JP, US, NL{extra}").format(
            value=value, extra=extra
        )
    )


Country = Annotated[str, BeforeValidator(lambda v: _check_country(v, False))]
CountryOrUnknown = Annotated[str, BeforeValidator(lambda v: _check_country(v, True))]


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_time_zone(value: Any) -> Any:
    if isinstance(value, str) and value not in _time_zones() and value != "UTC":
        raise fail(
            _("unknown time zone '{value}': use an IANA name such as Asia/Tokyo").format(value=value)
            + _suggest(value, sorted(_time_zones()))
        )
    return value


TimeZoneName = Annotated[str, BeforeValidator(_check_time_zone)]

_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _check_clock(value: Any) -> Any:
    if isinstance(value, str) and not _CLOCK.match(value):
        raise fail(_("'{value}' is not a time of day: use HH:MM, e.g. \"09:00\"").format(value=value))
    return value


ClockTime = Annotated[str, BeforeValidator(_check_clock)]

_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _check_env(value: Any) -> Any:
    if isinstance(value, str) and not _ENV.match(value):
        if "://" in value or "@" in value:
            raise fail(_("name the environment variable that holds the secret, never the secret itself"))
        raise fail(
            _("'{value}' is not an environment variable name: use upper-case letters, digits and '_'").format(
                value=value
            )
        )
    return value


EnvName = Annotated[str, BeforeValidator(_check_env)]

_COLUMN_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$")


def _check_column_ref(value: Any) -> Any:
    if isinstance(value, str) and not _COLUMN_REF.match(value):
        raise fail(_("'{value}' is not a column reference: write table.column").format(value=value))
    return value


ColumnRef = Annotated[str, BeforeValidator(_check_column_ref)]

# Dates may be written unquoted (YAML reads a date) or quoted; stored versions hold ISO strings.
LaxDate = Annotated[date, Strict(False)]


def _suggest(value: str, candidates: list[str]) -> str:
    close = get_close_matches(value, candidates, n=1, cutoff=0.6)
    return _(" (did you mean '{candidate}'?)").format(candidate=close[0]) if close else ""


def suggestion(value: str, candidates: list[str] | set[str] | frozenset[str]) -> str:
    """ " (did you mean 'x'?)" for the closest candidate, or ""."""
    return _suggest(value, sorted(candidates))

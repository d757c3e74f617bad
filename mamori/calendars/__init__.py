"""Business calendars and legal-deadline arithmetic (pure Python, no Django settings needed).

See docs/calendars.md. The day a request is received is never counted.
"""

from mamori.calendars.business import (
    CALENDAR_IDS,
    EU_MEMBER_STATES,
    MAX_BUSINESS_DAYS,
    BusinessCalendar,
    CalendarError,
    ClosedDay,
    UnknownCalendarError,
    get_calendar,
    normalise_calendar_id,
)
from mamori.calendars.deadlines import (
    AfterHours,
    OpeningHours,
    add_calendar_days,
    add_months_gdpr,
    effective_receipt_date,
)

__all__ = [
    "CALENDAR_IDS",
    "EU_MEMBER_STATES",
    "MAX_BUSINESS_DAYS",
    "AfterHours",
    "BusinessCalendar",
    "CalendarError",
    "ClosedDay",
    "OpeningHours",
    "UnknownCalendarError",
    "add_calendar_days",
    "add_months_gdpr",
    "effective_receipt_date",
    "get_calendar",
    "normalise_calendar_id",
]

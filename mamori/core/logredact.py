"""Secrets in URLs never reach the logs.

A requester's status link, a subscription confirmation and an unsubscribe link carry their secret
in the path, and Django logs the path of every 404 and 429 ("Not Found: /privacy/…/status/<token>/").
This filter, on every handler, replaces such path segments before a line is written.
"""

from __future__ import annotations

import logging
import re

SECRET_SEGMENT = re.compile(r"(/(?:requests/status|subscriptions/confirm|unsubscribe)/)[^/?#\s\"']+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return SECRET_SEGMENT.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                key: redact(value) if isinstance(value, str) else value for key, value in record.args.items()
            }
        return True

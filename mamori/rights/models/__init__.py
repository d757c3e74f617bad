"""Rights requests: the request and its history, verification codes, encrypted files, closure days."""

from mamori.rights.models.closures import ClosureDay
from mamori.rights.models.files import DownloadLog, RequestFile
from mamori.rights.models.requests import (
    Channel,
    Delivery,
    RequestNote,
    RequestPause,
    RequestStatus,
    RightsRequest,
)
from mamori.rights.models.verification import VerificationCode

__all__ = [
    "Channel",
    "ClosureDay",
    "Delivery",
    "DownloadLog",
    "RequestFile",
    "RequestNote",
    "RequestPause",
    "RequestStatus",
    "RightsRequest",
    "VerificationCode",
]

"""Services of the rights domain: the only writers of requests (DESIGN.md "Layers")."""

from mamori.rights.services.common import RightsError

__all__ = ["RightsError"]

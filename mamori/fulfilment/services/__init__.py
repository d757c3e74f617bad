"""Services of the fulfilment domain, one module per concern (DESIGN.md "Layers"):

- `common`: the error type, the engine on the map in force, a run's status and summary;
- `planning`: a run planned once per (request, right), and which data points match (verification);
- `execution`: the steps carried out (resumable) and the one way a run ends, with its job;
- `manual_tasks`: what staff do by hand, with their evidence;
- `restrictions`: the restriction list (keyed identity hashes).
"""

from mamori.fulfilment.services.common import FulfilmentError

__all__ = ["FulfilmentError"]

"""The HTTP API of wms (FastAPI): an adapter over the planning core and the fulfillment services.

The core never imports this package. Start it with ``wms serve`` or
``uvicorn --factory wms.api:create_app``.
"""

from wms.api.app import create_app as create_app

__all__ = ["create_app"]

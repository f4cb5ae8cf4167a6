"""Routers of the HTTP API, one module per resource; each exposes ``router: APIRouter``.

Paths are relative to ``/v1``; :func:`wms.api.app.create_app` includes the modules of
:data:`wms.api.app.ROUTER_MODULES` and puts API-key authentication on all of them.
"""

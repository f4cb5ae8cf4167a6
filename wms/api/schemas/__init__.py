"""Request (``*In``) and response (``*Out``) bodies of the HTTP API, one module per resource.

Pydantic models at the edge, separate from the domain dataclasses of :mod:`wms.model` and the
store rows of :mod:`wms.store`; routers convert between them once. (A regular package, so that
``setuptools.packages.find`` ships it in wheels.)
"""

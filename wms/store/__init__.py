"""Persistence of the fulfillment layer: SQLAlchemy models, engines, transactions, migrations.

The only package of ``wms`` that knows SQL. The core (layout, routing, batching, ...) never imports
it; :mod:`wms.fulfillment` does.
"""

# Registers the API tables on ``Base.metadata`` whenever any part of the store is imported, so
# migrations and the model comparison always see every table.
from wms.store import api_models as api_models
from wms.store.db import make_engine as make_engine
from wms.store.db import resolve_url as resolve_url
from wms.store.db import session_scope as session_scope

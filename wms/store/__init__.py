"""Persistence of the fulfillment layer: SQLAlchemy models, engines, transactions, migrations.

The only package of ``wms`` that knows SQL. The core (layout, routing, batching, ...) never imports
it; :mod:`wms.fulfillment` does.
"""

from wms.store.db import make_engine as make_engine
from wms.store.db import resolve_url as resolve_url
from wms.store.db import session_scope as session_scope

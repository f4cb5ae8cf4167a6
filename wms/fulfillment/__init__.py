"""The fulfillment service layer around the core: order intake and holds, picking workflow, stock,
receiving, storage, returns, events, KPIs.

Functions take an open SQLAlchemy session (``with wms.store.session_scope(url) as session: ...``)
and never commit; the caller's transaction makes each operation all-or-nothing. This package
imports the core (layouts, routing, batching), never the other way round.
"""

from wms.fulfillment import events as events
from wms.fulfillment import holds as holds
from wms.fulfillment import intake as intake
from wms.fulfillment import kpis as kpis
from wms.fulfillment import orders as orders
from wms.fulfillment import picking as picking
from wms.fulfillment import receiving as receiving
from wms.fulfillment import returns as returns
from wms.fulfillment import stock as stock
from wms.fulfillment import storage as storage

"""The duplicate-customer index kept between imports, per database, brought up to date on use.

Building a :class:`~wms.fulfillment.holds.CustomerIndex` normalises every stored customer: about
7 s for 50,000 customers, which an HTTP server would pay on every batch request. This cache keeps
the index of each database (and phone normalisation settings) between imports in the same
process. An import *takes* an index (nobody else uses it meanwhile: a concurrent import takes
another idle one or builds its own), brings it up to date (customers stored since, by other
imports or processes, are loaded and added; if the index knows a customer the store does not,
e.g. a recreated database, it is rebuilt), and *gives it back* when it succeeded, with the
customers it added.

Customers are never updated or deleted by the application, so "the same ids" means "the same
customers".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.fulfillment.holds import CustomerIndex, DuplicateCustomerParams, KnownCustomer
from wms.store.models import Customer as CustomerRow

__all__ = ["INDEX_CACHE", "CustomerIndexCache", "cache_key"]

#: Customer ids per ``IN (...)`` list when loading the customers an index lacks.
_LOAD_BATCH = 500

CacheKey = tuple[str, str, int]


def cache_key(session: Session, params: DuplicateCustomerParams) -> CacheKey:
    """What an index is kept under: the database URL and the phone normalisation settings."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return url, params.default_country_code, params.national_number_length


class CustomerIndexCache:
    """Idle customer indexes by database; see the module docstring.

    Parameters
    ----------
    per_database
        Idle indexes kept per database (concurrent imports each take one).
    """

    def __init__(self, per_database: int = 4) -> None:
        self._lock = threading.Lock()
        self._idle: dict[CacheKey, list[CustomerIndex]] = {}
        self._per_database = per_database

    def take(
        self,
        session: Session,
        params: DuplicateCustomerParams,
        known: Callable[[CustomerRow], KnownCustomer],
    ) -> CustomerIndex:
        """The index of the session's database, up to date with its stored customers.

        ``known`` converts a stored row to what the index holds. An idle index holds only stored
        customers (:meth:`give_back` is for imports that succeeded), and customers are never
        deleted, so when the counts agree it is up to date: one ``count(*)`` in the usual case.
        """
        with self._lock:
            idle = self._idle.get(cache_key(session, params))
            index = idle.pop() if idle else None
        count = session.scalar(sa.select(sa.func.count()).select_from(CustomerRow)) or 0
        if index is not None and len(index) == count:
            return index
        stored = set(session.scalars(sa.select(CustomerRow.id)))
        if index is not None:
            indexed = {c.customer_id for c in index.customers}
            if indexed <= stored:
                _add(index, _rows(session, sorted(stored - indexed)), known)
                return index
        index = CustomerIndex((), params)
        _add(index, _rows(session, sorted(stored)), known)
        return index

    def give_back(self, key: CacheKey, index: CustomerIndex) -> None:
        """Keep ``index`` (taken under ``key``) for the next import on this database; only after
        an import that succeeded (after a failure its customers may not all be stored)."""
        with self._lock:
            idle = self._idle.setdefault(key, [])
            idle.append(index)
            del idle[: -self._per_database]

    def clear(self) -> None:
        """Forget every index."""
        with self._lock:
            self._idle.clear()


def _rows(session: Session, ids: list[str]) -> Iterable[CustomerRow]:
    for start in range(0, len(ids), _LOAD_BATCH):
        part = ids[start : start + _LOAD_BATCH]
        yield from session.scalars(
            sa.select(CustomerRow).where(CustomerRow.id.in_(part)).order_by(CustomerRow.id)
        )


def _add(
    index: CustomerIndex, rows: Iterable[CustomerRow], known: Callable[[CustomerRow], KnownCustomer]
) -> None:
    for row in rows:
        index.add(known(row))


#: The cache :func:`wms.fulfillment.orders.import_orders` uses.
INDEX_CACHE = CustomerIndexCache()

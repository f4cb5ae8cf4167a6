"""The duplicate-customer index kept between imports (``wms.fulfillment.customer_cache``)."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from tests.fulfillment.order_fixtures import order, rules, stock_warehouse
from wms.fulfillment.customer_cache import INDEX_CACHE, CustomerIndexCache, cache_key
from wms.fulfillment.holds import CustomerIndex, KnownCustomer
from wms.fulfillment.intake import Address, Customer
from wms.fulfillment.orders import _known, import_orders
from wms.store.db import session_scope
from wms.store.models import Customer as CustomerRow


@pytest.fixture
def url(db_url: str) -> str:
    stock_warehouse(db_url)
    return db_url


def count_adds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    added: list[str] = []
    original = CustomerIndex.add

    def add(self: CustomerIndex, known: KnownCustomer) -> None:
        added.append(known.customer_id)
        original(self, known)

    monkeypatch.setattr(CustomerIndex, "add", add)
    return added


def test_the_next_import_reuses_the_index(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import_orders(url, [order(f"A-{k}", ("S5", 1)) for k in range(4)], rules())
    added = count_adds(monkeypatch)
    import_orders(url, [order(f"B-{k}", ("S5", 1)) for k in range(2)], rules())
    assert len(added) == 2  # the two new buyers only, not the four known ones again


def test_customers_stored_meanwhile_are_added_and_matched(url: str) -> None:
    import_orders(url, [order("A-1", ("S5", 1))], rules())  # the index is now cached
    # Another process stores a customer (a direct insert here).
    with session_scope(url) as s:
        s.add(
            CustomerRow(
                id="C-other",
                channel="shop",
                name="Zofia Wiśniewska",
                email="zofia.w@example.com",
                street="Polna 12",
                city="Poznań",
                postal_code="60-001",
                country="PL",
            )
        )
    twin = dataclasses.replace(
        order("B-1", ("S5", 1)),
        channel="allegro",
        customer=Customer("Zofia Wisniewska", "zofia.w+allegro@example.com", None),
        address=Address("Polna 12", "Poznan", "60-001", "PL"),
    )
    (entry,) = import_orders(url, [twin], rules()).orders
    assert entry.holds == ("duplicate_customer",)


def test_an_index_knowing_a_customer_the_store_lacks_is_rebuilt(url: str) -> None:
    """E.g. a chunk rolled back by a failure after its customers entered the index."""
    import_orders(url, [order("A-1", ("S5", 1))], rules())
    params = rules().rules.duplicate_customer
    with session_scope(url, readonly=True) as s:
        key = cache_key(s, params)
        index = INDEX_CACHE.take(s, params, _known)
    ghost = KnownCustomer(
        "C-ghost",
        "Jan Duch",
        "jan.duch@example.com",
        None,
        Address("Mglista 1", "Łódź", "90-001", "PL"),
    )
    index.add(ghost)
    INDEX_CACHE.give_back(key, index)
    look_alike = dataclasses.replace(
        order("B-1", ("S5", 1)),
        customer=Customer("Jan Duch", "jan.duch+x@example.com", None),
        address=Address("Mglista 1", "Łódź", "90-001", "PL"),
    )
    (entry,) = import_orders(url, [look_alike], rules()).orders
    assert entry.holds == () and entry.status == "released"


def test_take_builds_from_the_store_in_id_order(url: str) -> None:
    import_orders(url, [order(f"A-{k}", ("S5", 1)) for k in range(3)], rules())
    params = rules().rules.duplicate_customer
    with session_scope(url, readonly=True) as s:
        index = CustomerIndexCache().take(s, params, _known)
        stored = list(s.scalars(sa.select(CustomerRow.id).order_by(CustomerRow.id)))
    assert [c.customer_id for c in index.customers] == stored and len(stored) == 3


def test_a_failed_import_does_not_give_its_index_back(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_orders(url, [order("A-1", ("S5", 1))], rules())
    added = count_adds(monkeypatch)

    def stop(done: int) -> None:
        raise RuntimeError("the caller gave up")

    with pytest.raises(RuntimeError):
        import_orders(url, [order(f"B-{k}", ("S5", 1)) for k in range(2)], rules(), on_commit=stop)
    assert len(added) == 2
    added.clear()
    import_orders(url, [order("C-1", ("S5", 1))], rules())
    # Built again from the store (A-1's and the committed B buyers), then C-1's buyer.
    assert len(added) == 4


def test_concurrent_takes_get_their_own_index(url: str) -> None:
    import_orders(url, [order("A-1", ("S5", 1))], rules())
    params = rules().rules.duplicate_customer
    cache = CustomerIndexCache(per_database=2)
    with session_scope(url, readonly=True) as s:
        key = cache_key(s, params)
        first, second = cache.take(s, params, _known), cache.take(s, params, _known)
        assert first is not second and len(first) == len(second) == 1
        for index in (first, second, CustomerIndex((), params)):
            cache.give_back(key, index)
        # The newest two are kept; the empty one is out of date and brought up to date.
        again = cache.take(s, params, _known)
        assert len(again) == 1 and cache.take(s, params, _known) is second

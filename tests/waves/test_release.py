"""Wave release: grouping by cutoff / carrier / priority / channel, on demand or on a schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wms.errors import OrderError
from wms.model import Order, OrderLine
from wms.waves.config import ReleaseRules
from wms.waves.release import WaveRelease, floor_time, release_waves

DAY = datetime(2024, 6, 3)


def order(oid: str, hour: float | None = None, carrier: str | None = None, priority: int = 0,
          channel: str = "shop") -> Order:  # fmt: skip
    """A one-line order with a cutoff ``hour`` o'clock on 2024-06-03 (None: no cutoff)."""
    cutoff = None if hour is None else DAY + timedelta(hours=hour)
    return Order(oid, (OrderLine("S1", 1),), channel, priority, cutoff, carrier)


def ids(orders: list[Order], waves: list[WaveRelease]) -> list[list[str]]:
    return [[orders[i].order_id for i in w.orders] for w in waves]


def test_floor_time_buckets_from_midnight() -> None:
    t = datetime(2024, 6, 3, 14, 47, 12)
    assert floor_time(t, 60) == datetime(2024, 6, 3, 14, 0)
    assert floor_time(t, 15) == datetime(2024, 6, 3, 14, 45)
    assert floor_time(t, 0) == t
    assert floor_time(t, 60, origin=datetime(2024, 6, 3, 0, 30)) == datetime(2024, 6, 3, 14, 30)


def test_on_demand_by_cutoff_hour_most_urgent_first() -> None:
    orders = [order("a", 15.5), order("b", 12.25), order("c", 15.0, priority=2), order("d", None),
              order("e", 12.0)]  # fmt: skip
    waves = release_waves(orders, ReleaseRules(), now=DAY)
    assert [w.wave_id for w in waves] == ["W001", "W002", "W003"]
    assert ids(orders, waves) == [["e", "b"], ["c", "a"], ["d"]]
    assert [w.key for w in waves] == [
        (("cutoff", "2024-06-03T12:00:00"),),
        (("cutoff", "2024-06-03T15:00:00"),),
        (("cutoff", "none"),),
    ]
    assert all(w.release_at == DAY for w in waves)


def test_keys_combine_and_order_waves() -> None:
    orders = [order("a", 12, "DHL"), order("b", 12, "DPD"), order("c", 12, "DHL", channel="amazon"),
              order("d", 9, "DPD", priority=1)]  # fmt: skip
    waves = release_waves(orders, ReleaseRules(keys=("carrier", "priority")))
    assert ids(orders, waves) == [["d"], ["a", "c"], ["b"]]
    assert waves[0].key == (("carrier", "DPD"), ("priority", "1"))
    by_channel = release_waves(orders, ReleaseRules(keys=("channel",)))
    assert ids(orders, by_channel) == [["d", "a", "b"], ["c"]]


def test_no_keys_releases_everything_in_one_wave() -> None:
    orders = [order("a", 15), order("b", 12), order("c")]
    (wave,) = release_waves(orders, ReleaseRules(keys=()))
    assert ids(orders, [wave]) == [["b", "a", "c"]]
    assert wave.key == ()


def test_exact_cutoffs_with_bucket_zero() -> None:
    orders = [order("a", 12.25), order("b", 12.5), order("c", 12.25)]
    waves = release_waves(orders, ReleaseRules(cutoff_bucket_minutes=0))
    assert ids(orders, waves) == [["a", "c"], ["b"]]


def test_max_orders_per_wave_cuts_large_waves() -> None:
    orders = [order(f"o{k}", 12, priority=k % 3) for k in range(7)]
    waves = release_waves(orders, ReleaseRules(max_orders_per_wave=3))
    assert [len(w.orders) for w in waves] == [3, 3, 1]
    assert ids(orders, waves)[0] == ["o2", "o5", "o1"]  # highest priority first


def test_schedule_releases_lead_time_before_cutoff() -> None:
    orders = [order("a", 12), order("b", 15), order("c", 13.5), order("d", 9.5), order("e")]
    rules = ReleaseRules(mode="schedule", keys=(), interval_minutes=60, lead_time_minutes=120,
                         start=DAY + timedelta(hours=8))  # fmt: skip
    waves = release_waves(orders, rules)
    got = {w.release_at.hour: [orders[i].order_id for i in w.orders] for w in waves}  # type: ignore[union-attr]
    # d (9:30) is already late at 8:00 -> first release; a 12:00 -> 10:00; c 13:30 -> 11:00;
    # b 15:00 -> 13:00; e has no cutoff -> the last release.
    assert got == {8: ["d"], 10: ["a"], 11: ["c"], 13: ["b", "e"]}
    assert [w.wave_id for w in waves] == ["W001", "W002", "W003", "W004"]


def test_schedule_start_defaults_to_the_first_needed_release() -> None:
    orders = [order("a", 12.5), order("b", 16)]
    waves = release_waves(orders, ReleaseRules(mode="schedule", keys=(), interval_minutes=30,
                                               lead_time_minutes=90))  # fmt: skip
    assert [w.release_at for w in waves] == [DAY + timedelta(hours=11), DAY + timedelta(hours=14.5)]


def test_schedule_without_any_cutoff_uses_now() -> None:
    orders = [order("a"), order("b")]
    (wave,) = release_waves(orders, ReleaseRules(mode="schedule"), now=DAY)
    assert wave.release_at == DAY and len(wave.orders) == 2


def test_mixing_time_zones_is_an_error_naming_the_orders() -> None:
    aware = Order("z", (OrderLine("S1", 1),), cutoff=datetime(2024, 6, 3, 12, tzinfo=UTC))
    with pytest.raises(OrderError, match=r"order 'z' has 2024-06-03T12:00:00\+00:00.*order 'a'"):
        release_waves([aware, order("a", 12)])


@settings(max_examples=100, deadline=None)
@given(
    cutoffs=st.lists(st.none() | st.integers(0, 23 * 60), min_size=0, max_size=30),
    mode=st.sampled_from(["on_demand", "schedule"]),
    keys=st.sampled_from([(), ("cutoff",), ("carrier",), ("cutoff", "priority")]),
    size=st.none() | st.integers(1, 5),
)
def test_every_order_is_in_exactly_one_wave(
    cutoffs: list[int | None], mode: str, keys: tuple[str, ...], size: int | None
) -> None:
    orders = [
        order(f"o{k}", None if c is None else c / 60, ["DHL", "DPD"][k % 2], k % 3)
        for k, c in enumerate(cutoffs)
    ]
    rules = ReleaseRules.model_validate({"mode": mode, "keys": keys, "max_orders_per_wave": size})
    waves = release_waves(orders, rules, now=DAY)
    assert sorted(i for w in waves for i in w.orders) == list(range(len(orders)))
    assert len({w.wave_id for w in waves}) == len(waves)
    if size is not None:
        assert all(len(w.orders) <= size for w in waves)
    releases = [w.release_at for w in waves if w.release_at is not None]
    assert releases == sorted(releases)

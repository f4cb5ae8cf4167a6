"""Waves, picking, packing and shipping of released orders, planned by the core.

:func:`create_wave` takes the released orders and their open stock reservations, hands them to the
core planner (:func:`wms.planning.plan_picklists`) and stores the resulting waves, pick lists
(with their route length) and pick tasks in walking order. Each reservation becomes one core order
line whose SKU is stored at exactly the reserved location (a per-location alias ``SKU@LOCATION``),
so an order line reserved at two locations is picked from both, each where its units really are.

:func:`confirm_pick` books what the picker took (the stock ledger's ``pick`` move). A short pick
(fewer units than the task asked for) releases the missing units' reservation, books them as
missing at the location (a stock adjustment, unless told otherwise), and then either reallocates
them from another location with available stock (a new task appended to the same pick list) or,
when no stock is left, puts the order on a ``stock_shortage`` hold for a consultant.

:func:`pack_order` and :func:`ship_order` move a picked order on; every step appends its status
event. All functions take an open session and never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wms.fulfillment import stock as stock_service
from wms.fulfillment.events import record_event
from wms.fulfillment.holds import HoldFinding
from wms.fulfillment.orders import STOCK_SHORTAGE, OrderFlowError, add_hold, get_order, lock_order
from wms.model import Order as CoreOrder
from wms.model import OrderLine as CoreLine
from wms.model import Sku as CoreSku
from wms.store.models import (
    Location,
    Order,
    OrderLine,
    PickList,
    PickTask,
    Reservation,
    Sku,
    Wave,
    utcnow,
)

if TYPE_CHECKING:
    from wms.layout import Layout
    from wms.waves.config import PlanConfig

__all__ = [
    "PickResult",
    "WaveResult",
    "confirm_pick",
    "create_wave",
    "list_pick_tasks",
    "pack_order",
    "ship_order",
]

#: Separator of the per-location SKU alias handed to the core planner.
ALIAS_SEPARATOR = "@"


@dataclass(frozen=True, slots=True)
class WaveResult:
    """What :func:`create_wave` stored.

    Attributes
    ----------
    wave_ids
        Database ids of the new waves (one per core wave with pick lists).
    pick_list_ids
        Database ids of the new pick lists.
    order_ids
        Orders now ``waved``.
    unassigned
        ``(order id, reason)`` of released orders the planner could not put on a list (they stay
        ``released``).
    route_length_m
        Total planned walking distance of the new lists.
    """

    wave_ids: tuple[int, ...]
    pick_list_ids: tuple[int, ...]
    order_ids: tuple[str, ...]
    unassigned: tuple[tuple[str, str], ...] = ()
    route_length_m: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "wave_ids": list(self.wave_ids),
            "pick_list_ids": list(self.pick_list_ids),
            "order_ids": list(self.order_ids),
            "unassigned": [{"order_id": o, "reason": r} for o, r in self.unassigned],
            "route_length_m": round(self.route_length_m, 3),
        }


@dataclass(frozen=True, slots=True)
class PickResult:
    """Outcome of :func:`confirm_pick`.

    ``short_qty`` units were missing; ``reallocated_task_ids`` are the new tasks that fetch them
    elsewhere; ``hold_id`` is set when no stock was left and the order went on hold.
    """

    task_id: int
    qty_picked: int
    short_qty: int
    order_status: str
    reallocated_task_ids: tuple[int, ...] = ()
    hold_id: int | None = None
    pick_list_completed: bool = False
    adjusted_qty: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "task_id": self.task_id,
            "qty_picked": self.qty_picked,
            "short_qty": self.short_qty,
            "order_status": self.order_status,
            "reallocated_task_ids": list(self.reallocated_task_ids),
            "hold_id": self.hold_id,
            "pick_list_completed": self.pick_list_completed,
            "adjusted_qty": self.adjusted_qty,
        }


# -- waves ----------------------------------------------------------------------------------------


def _alias(sku_id: str, location_id: str) -> str:
    return f"{sku_id}{ALIAS_SEPARATOR}{location_id}"


def _open_task_qty(session: Session, order_ids: list[str]) -> dict[tuple[str, int, str, str], int]:
    """Units still to pick by open tasks per (order, line, SKU, location)."""
    out: dict[tuple[str, int, str, str], int] = defaultdict(int)
    if not order_ids:
        return out
    rows = session.scalars(
        sa.select(PickTask).where(PickTask.order_id.in_(order_ids), PickTask.status == "open")
    )
    for t in rows:
        out[(t.order_id, t.line_no, t.sku_id, t.location_id)] += t.qty - t.qty_picked
    return out


def create_wave(
    session: Session,
    layout: Layout,
    config: PlanConfig | None = None,
    *,
    order_ids: list[str] | None = None,
    now: datetime | None = None,
    actor: str | None = None,
) -> WaveResult:
    """Plan pick lists for released orders with the core planner and store them.

    Parameters
    ----------
    session
        An open session (not committed here).
    layout
        The warehouse layout; stock locations must be its location ids
        (:func:`wms.fulfillment.stock.sync_locations`).
    config
        The planning configuration (strategy, devices, wave release, batching); default
        :class:`~wms.waves.config.PlanConfig`. Orders the planner cannot place are reported in
        ``unassigned`` instead of failing the whole wave.
    order_ids
        Only these released orders (default: all released orders).
    now
        Release time of on-demand waves (aware), default now.
    actor
        Who created the wave, for the events.

    Returns
    -------
    WaveResult
        New wave, pick-list and order ids; nothing is stored when no order can be planned.
    """
    from wms.planning import plan_picklists
    from wms.waves.config import PlanConfig

    cfg = (config or PlanConfig()).model_copy(update={"invalid_orders": "unassigned"})
    when = now or utcnow()
    query = sa.select(Order).where(Order.status == "released")
    if order_ids is not None:
        query = query.where(Order.id.in_(order_ids))
    # Concurrent planners take disjoint orders (locked rows are skipped on PostgreSQL).
    query = query.order_by(Order.created_at, Order.id).with_for_update(skip_locked=True)
    orders = list(session.scalars(query))
    covered = _open_task_qty(session, [o.id for o in orders])
    catalog: dict[str, CoreSku] = {}
    core_orders: list[CoreOrder] = []
    # (order id, core line index) -> (line_no, SKU id, location id)
    line_of: dict[tuple[str, int], tuple[int, str, str]] = {}
    for order in orders:
        per_key: dict[tuple[int, str, str], int] = defaultdict(int)
        for r in stock_service.open_reservations(session, order_id=order.id):
            per_key[(r.line_no, r.sku_id, r.location_id)] += r.qty
        lines: list[CoreLine] = []
        for (line_no, sku_id, loc_id), qty in sorted(per_key.items()):
            todo = qty - covered.get((order.id, line_no, sku_id, loc_id), 0)
            if todo <= 0:
                continue
            alias = _alias(sku_id, loc_id)
            if alias not in catalog:
                sku = session.get(Sku, sku_id)
                catalog[alias] = CoreSku(
                    sku_id=alias,
                    weight_kg=float(sku.weight_kg if sku else 0.0),
                    volume_l=float(sku.volume_l if sku else 0.0),
                    handling_class=(sku.handling_class if sku and sku.handling_class else "normal"),
                    locations=(loc_id,),
                )
            line_of[(order.id, len(lines))] = (line_no, sku_id, loc_id)
            lines.append(CoreLine(alias, todo))
        if lines:
            core_orders.append(
                CoreOrder(
                    order_id=order.id,
                    lines=tuple(lines),
                    channel=order.channel or "default",
                    cutoff=order.cutoff,
                    carrier=order.carrier,
                )
            )
    if not core_orders:
        return WaveResult((), (), ())
    plan = plan_picklists(core_orders, catalog, layout, cfg, now=_aware(when))
    wave_ids: list[int] = []
    list_ids: list[int] = []
    waved: dict[str, list[int]] = defaultdict(list)
    total_m = 0.0
    for core_wave in plan.waves:
        if not core_wave.pick_lists:
            continue
        wave = Wave(label=core_wave.wave_id[:64], status="released", created_at=when)
        session.add(wave)
        session.flush()
        wave_ids.append(wave.id)
        for core_list in core_wave.pick_lists:
            pick_list = PickList(
                wave_id=wave.id,
                route_length_m=float(core_list.route_length_m),
                strategy=core_list.strategy,
                status="open",
                created_at=when,
            )
            session.add(pick_list)
            session.flush()
            list_ids.append(pick_list.id)
            total_m += float(core_list.route_length_m)
            for stop in core_list.stops:
                line_no, sku_id, loc_id = line_of[(stop.order_id, stop.line)]
                session.add(
                    PickTask(
                        pick_list_id=pick_list.id,
                        seq=stop.sequence,
                        order_id=stop.order_id,
                        line_no=line_no,
                        sku_id=sku_id,
                        location_id=loc_id,
                        qty=stop.quantity,
                        qty_picked=0,
                        status="open",
                        tote=None if stop.tote is None else str(stop.tote),
                    )
                )
                if pick_list.id not in waved[stop.order_id]:
                    waved[stop.order_id].append(pick_list.id)
        session.flush()
        record_event(
            session,
            "wave.released",
            entity_type="wave",
            entity_id=str(wave.id),
            payload={
                "label": wave.label,
                "pick_lists": [pl.id for pl in wave.pick_lists],
                "orders": list(core_wave.order_ids),
                "actor": actor,
            },
            at=when,
        )
    unassigned = tuple((u.order_id, u.message) for u in plan.unassigned)
    for order in orders:
        if order.id in waved:
            order.status = "waved"
            record_event(
                session,
                "order.waved",
                entity_type="order",
                entity_id=order.id,
                payload={"pick_lists": waved[order.id]},
                at=when,
            )
    session.flush()
    return WaveResult(
        tuple(wave_ids), tuple(list_ids), tuple(waved), unassigned, route_length_m=total_m
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# -- picking --------------------------------------------------------------------------------------


def _matching_reservations(session: Session, task: PickTask) -> list[Reservation]:
    return list(
        session.scalars(
            sa.select(Reservation)
            .where(
                Reservation.order_id == task.order_id,
                Reservation.line_no == task.line_no,
                Reservation.sku_id == task.sku_id,
                Reservation.location_id == task.location_id,
                Reservation.state == "open",
            )
            .order_by(Reservation.id)
        )
    )


def _reallocate(
    session: Session, order_id: str, line_no: int, sku_id: str, qty: int, exclude: str
) -> list[Reservation] | None:
    """Reserve ``qty`` units at storage locations other than ``exclude``, all or nothing."""
    loc = Location.__table__
    stock = stock_service.stock_levels(session, sku_id=sku_id)
    kinds = dict(
        session.execute(
            sa.select(loc.c.id, loc.c.kind).where(loc.c.id.in_([s.location_id for s in stock]))
        ).all()
    )
    distance = dict(
        session.execute(
            sa.select(loc.c.id, loc.c.distance_m).where(
                loc.c.id.in_([s.location_id for s in stock])
            )
        ).all()
    )
    candidates = sorted(
        (s for s in stock if s.location_id != exclude and kinds.get(s.location_id) == "storage"),
        key=lambda s: (
            distance.get(s.location_id) is None,
            distance.get(s.location_id) or 0.0,
            s.location_id,
        ),
    )
    if sum(max(0, s.available) for s in candidates) < qty:
        return None
    savepoint = session.begin_nested()
    made: list[Reservation] = []
    left = qty
    for s in candidates:
        if left == 0:
            break
        take = min(left, s.available)
        if take <= 0:
            continue
        got = stock_service.reserve(
            session, order_id, line_no, sku_id, take, location_id=s.location_id, allow_partial=True
        )
        made.extend(got)
        left -= sum(r.qty for r in got)
    if left > 0:
        savepoint.rollback()
        return None
    savepoint.commit()
    return made


def _finish_list(session: Session, pick_list: PickList, at: datetime | None) -> bool:
    """Mark the list completed when no task is open; ``True`` if it just completed."""
    if pick_list.status == "completed":
        return False
    open_tasks = session.scalar(
        sa.select(sa.func.count())
        .select_from(PickTask)
        .where(PickTask.pick_list_id == pick_list.id, PickTask.status == "open")
    )
    if open_tasks:
        return False
    pick_list.status = "completed"
    pick_list.completed_at = at or utcnow()
    record_event(
        session,
        "picklist.completed",
        entity_type="pick_list",
        entity_id=str(pick_list.id),
        payload={"wave_id": pick_list.wave_id},
        at=at,
    )
    return True


def _finish_order(session: Session, order: Order, at: datetime | None) -> None:
    """Mark the order picked when every line is picked in full and no task is open."""
    if order.status not in ("waved", "released"):
        return
    for line in order.lines:
        session.refresh(line)
        if line.qty_picked < line.qty:
            return
    open_tasks = session.scalar(
        sa.select(sa.func.count())
        .select_from(PickTask)
        .where(PickTask.order_id == order.id, PickTask.status == "open")
    )
    if open_tasks:
        return
    order.status = "picked"
    record_event(
        session,
        "order.picked",
        entity_type="order",
        entity_id=order.id,
        payload={"units": sum(line.qty_picked for line in order.lines)},
        at=at,
    )


def confirm_pick(
    session: Session,
    task_id: int,
    qty_picked: int,
    *,
    actor: str | None = None,
    missing_at_location: bool = True,
    at: datetime | None = None,
) -> PickResult:
    """Confirm a pick task with the units the picker actually took.

    Parameters
    ----------
    session
        An open session (not committed here).
    task_id
        An open pick task.
    qty_picked
        Units taken, ``0 <= qty_picked <= task.qty``; fewer than asked is a short pick.
    actor
        The picker, for the ledger and events.
    missing_at_location
        On a short pick, book the missing units out of the location (a stock adjustment with the
        reason "short pick"), so they are not reserved again. ``False``: the units are there but
        could not be taken (blocked, damaged); only the reservation moves elsewhere.
    at
        Time of the pick (aware), default now.

    Returns
    -------
    PickResult
        Picked and short units, reallocation tasks or the new hold, the order's status.

    Raises
    ------
    OrderFlowError
        Unknown or closed task, a quantity out of range, or an order that is cancelled.
    """
    found = session.get(PickTask, task_id)
    if found is None:
        raise OrderFlowError(f"pick task {task_id} does not exist")
    # Lock the order: pickers confirming its last tasks at once must see each other's work
    # (else nobody marks it picked), and the same task confirmed twice fails the second time.
    lock_order(session, found.order_id)
    task = session.get(PickTask, task_id, populate_existing=True)
    assert task is not None
    if task.status != "open":
        raise OrderFlowError(f"pick task {task_id} is already {task.status}")
    if (
        isinstance(qty_picked, bool)
        or not isinstance(qty_picked, int)
        or not 0 <= qty_picked <= task.qty
    ):
        raise OrderFlowError(
            f"pick task {task_id}: picked quantity {qty_picked!r} must be a whole number from 0 to "
            f"{task.qty} (the task's quantity); over-picks go back to the location"
        )
    order = get_order(session, task.order_id)
    if order.status in ("cancelled", "shipped", "returned", "packed"):
        raise OrderFlowError(f"pick task {task_id}: order {order.id!r} is {order.status}")
    reservations = _matching_reservations(session, task)
    left = qty_picked
    for r in reservations:
        if left == 0:
            break
        take = min(left, r.qty)
        stock_service.pick(session, r.id, take, actor=actor, at=at)
        left -= take
    if left > 0:
        raise OrderFlowError(
            f"pick task {task_id}: only {qty_picked - left} of {qty_picked} units of "
            f"{task.sku_id!r} are reserved at {task.location_id!r} for order {order.id!r}"
        )
    task.qty_picked = qty_picked
    short = task.qty - qty_picked
    task.status = "picked" if short == 0 else "short"
    session.flush()
    realloc: list[int] = []
    hold_id: int | None = None
    adjusted = 0
    if short:
        to_release = short
        for r in _matching_reservations(session, task):
            if to_release == 0:
                break
            to_release -= stock_service.release_reservation(session, r.id, min(r.qty, to_release))
        if missing_at_location:
            level = stock_service.stock_levels(
                session, sku_id=task.sku_id, location_id=task.location_id
            )
            available = level[0].available if level else 0
            adjusted = min(short, max(0, available))
            if adjusted:
                stock_service.adjust(
                    session,
                    task.sku_id,
                    task.location_id,
                    -adjusted,
                    reason=f"short pick: task {task.id} found {qty_picked} of {task.qty}",
                    reference=order.id,
                    actor=actor,
                    at=at,
                )
        made = _reallocate(
            session, order.id, task.line_no, task.sku_id, short, exclude=task.location_id
        )
        if made is not None:
            seq = (
                session.scalar(
                    sa.select(sa.func.max(PickTask.seq)).where(
                        PickTask.pick_list_id == task.pick_list_id
                    )
                )
                or 0
            )
            for r in made:
                seq += 1
                new = PickTask(
                    pick_list_id=task.pick_list_id,
                    seq=seq,
                    order_id=order.id,
                    line_no=task.line_no,
                    sku_id=task.sku_id,
                    location_id=r.location_id,
                    qty=r.qty,
                    qty_picked=0,
                    status="open",
                    tote=task.tote,
                )
                session.add(new)
                session.flush()
                realloc.append(new.id)
            record_event(
                session,
                "order.pick_reallocated",
                entity_type="order",
                entity_id=order.id,
                payload={
                    "task_id": task.id,
                    "short_qty": short,
                    "new_tasks": realloc,
                    "locations": [r.location_id for r in made],
                },
                at=at,
            )
        else:
            line = session.get(OrderLine, (order.id, task.line_no))
            assert line is not None
            line.qty_short = (line.qty_short or 0) + short
            hold = add_hold(
                session,
                order,
                HoldFinding(
                    STOCK_SHORTAGE,
                    f"short pick: task {task.id} found {qty_picked} of {task.qty} units of "
                    f"{task.sku_id} at {task.location_id}; no other location has "
                    f"{short} available",
                    {"task_id": task.id, "missing_units": {task.sku_id: short}},
                ),
                at=at,
            )
            hold_id = hold.id
    pick_list = session.get(PickList, task.pick_list_id)
    assert pick_list is not None
    completed = _finish_list(session, pick_list, at)
    _finish_order(session, order, at)
    session.flush()
    return PickResult(
        task_id=task.id,
        qty_picked=qty_picked,
        short_qty=short,
        order_status=order.status,
        reallocated_task_ids=tuple(realloc),
        hold_id=hold_id,
        pick_list_completed=completed,
        adjusted_qty=adjusted,
    )


def list_pick_tasks(
    session: Session,
    *,
    pick_list_id: int | None = None,
    order_id: str | None = None,
    status: str | None = "open",
) -> list[PickTask]:
    """Pick tasks in walking order (list, then sequence), open ones by default."""
    query = sa.select(PickTask)
    if pick_list_id is not None:
        query = query.where(PickTask.pick_list_id == pick_list_id)
    if order_id is not None:
        query = query.where(PickTask.order_id == order_id)
    if status is not None:
        query = query.where(PickTask.status == status)
    return list(session.scalars(query.order_by(PickTask.pick_list_id, PickTask.seq, PickTask.id)))


# -- packing and shipping -------------------------------------------------------------------------


def pack_order(
    session: Session, order_id: str, *, actor: str | None = None, at: datetime | None = None
) -> Order:
    """Pack a picked order (status ``picked`` -> ``packed``)."""
    order = get_order(session, order_id)
    if order.status != "picked":
        raise OrderFlowError(
            f"order {order_id!r} is {order.status}: only picked orders can be packed"
        )
    order.status = "packed"
    record_event(
        session,
        "order.packed",
        entity_type="order",
        entity_id=order_id,
        payload={"actor": actor, "units": sum(line.qty_picked for line in order.lines)},
        at=at,
    )
    session.flush()
    return order


def ship_order(
    session: Session,
    order_id: str,
    *,
    tracking: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> Order:
    """Hand a packed order to its carrier (status ``packed`` -> ``shipped``)."""
    order = get_order(session, order_id)
    if order.status != "packed":
        raise OrderFlowError(
            f"order {order_id!r} is {order.status}: only packed orders can be shipped"
        )
    order.status = "shipped"
    order.shipped_at = at or utcnow()
    record_event(
        session,
        "order.shipped",
        entity_type="order",
        entity_id=order_id,
        payload={"carrier": order.carrier, "tracking": tracking, "actor": actor},
        at=at,
    )
    session.flush()
    return order

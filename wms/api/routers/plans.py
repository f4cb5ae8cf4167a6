"""``POST /v1/plans``: stateless pick-list planning (orders + SKUs + layout in, waves out).

Nothing touches the database: the request is converted to domain objects once, planned with
:func:`wms.planning.plan_picklists`, and the :class:`~wms.model.Plan` is returned as
:class:`~wms.api.schemas.plans.PlanOut`. Domain errors (unknown SKU, bad layout or configuration)
become 422 problems naming the value.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from wms.api.layouts import resolve_layout
from wms.api.problems import PROBLEM_RESPONSES, ApiProblem, ProblemError
from wms.api.schemas.plans import MAX_PLAN_TIME_S, PlanIn, PlanOut
from wms.model import Order, Sku
from wms.planning import plan_picklists

router = APIRouter(tags=["planning"])


def _invalid(pointer: str, detail: str) -> ApiProblem:
    return ApiProblem(
        422,
        detail,
        slug="validation-error",
        title="Validation failed",
        errors=[ProblemError(pointer=pointer, detail=detail)],
    )


def _domain_orders(body: PlanIn) -> list[Order]:
    out = []
    for i, order in enumerate(body.orders):
        try:
            out.append(order.to_domain())
        except ValueError as exc:
            raise _invalid(f"/orders/{i}", str(exc)) from None
    return out


def _domain_skus(body: PlanIn) -> dict[str, Sku]:
    out: dict[str, Sku] = {}
    for i, sku in enumerate(body.skus):
        if sku.sku_id in out:
            raise _invalid(f"/skus/{i}/sku_id", f"SKU {sku.sku_id!r} is listed twice")
        try:
            out[sku.sku_id] = sku.to_domain()
        except ValueError as exc:
            raise _invalid(f"/skus/{i}", str(exc)) from None
    return out


@router.post(
    "/plans",
    response_model=PlanOut,
    summary="Plan waves and pick lists (stops in walking order) for orders",
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k in (401, 413, 422)},
)
def create_plan(body: PlanIn) -> Any:
    """Plan waves of pick lists for the orders of the request; nothing is stored.

    Each order line is resolved to its SKU's first location in the layout; lists are built by the
    configured strategy (batch, cart, singles), split by weight, volume, lines, zone and handling
    class, and routed; stops come in walking order with their tote on a cart. Orders that cannot
    be planned are listed in ``unassigned`` with a reason (or, with the default
    ``config.invalid_orders = "raise"``, refused with a 422 problem).
    """
    config = body.config
    if config is not None and config.batching.time_limit_s > MAX_PLAN_TIME_S:
        raise _invalid(
            "/config/batching/time_limit_s",
            f"time_limit_s {config.batching.time_limit_s} is above the API limit of "
            f"{MAX_PLAN_TIME_S} s",
        )
    layout = resolve_layout(body.layout_id, body.layout)
    orders = _domain_orders(body)
    skus = _domain_skus(body)
    try:
        plan = plan_picklists(orders, skus, layout, config, now=body.now)
    except ValueError as exc:
        # A domain object refused a value the schema let through (e.g. mixed time zones).
        raise ApiProblem(
            422, str(exc), slug="invalid-request", title="Request not processable"
        ) from None
    return plan.to_dict()


__all__ = ["router"]

"""A small typed Python client of the wms HTTP API, for integrators (and the API's own tests).

>>> from wms.client import WmsClient
>>> with WmsClient("http://127.0.0.1:8000", api_key="wms_...") as wms:  # doctest: +SKIP
...     wms.import_order({"reference_id": "SHOP-1", "lines": [{"sku_id": "S1", "qty": 2}]})
...     for order in wms.list_orders(status="on_hold"):
...         print(order.reference_id, [h.rule for h in order.holds])

Every method sends the API key, returns the API's response model (pydantic, from
:mod:`wms.api.schemas`) and raises :class:`WmsApiError` carrying the RFC 9457 problem document
on any 4xx/5xx. List methods iterate over *all* pages (following ``next_cursor``). Every POST
carries an ``Idempotency-Key`` (a fresh UUID unless given), and a POST that fails on the network
is retried with the same key, so a retry never creates a second order or wave.

Tests pass ``http_client=`` a :class:`fastapi.testclient.TestClient` (or ``transport=`` an
:class:`httpx.MockTransport`) instead of a server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel

from wms.api.schemas.events import EventOut
from wms.api.schemas.orders import (
    HoldOut,
    HoldReleaseOut,
    OrderBatchOut,
    OrderIn,
    OrderOut,
    TimelineEntryOut,
)
from wms.api.schemas.picklists import PickListOut, PickResultOut
from wms.api.schemas.plans import PlanIn, PlanOut
from wms.api.schemas.receipts import (
    PutawayDoneOut,
    PutawaySuggestionOut,
    ReceiptIn,
    ReceiptOut,
    ReceiveOut,
)
from wms.api.schemas.returns import ReturnOut
from wms.api.schemas.stock import LocationStockOut, SkuStockOut, StockAdjustOut
from wms.api.schemas.waves import WaveCreatedOut, WaveOut
from wms.api.schemas.webhooks import WebhookCreatedOut, WebhookDeliveryOut, WebhookOut

__all__ = ["WmsApiError", "WmsClient"]

M = TypeVar("M", bound=BaseModel)
Body = BaseModel | Mapping[str, Any]

#: Orders per request of :meth:`WmsClient.import_orders` (the server accepts up to 5,000).
DEFAULT_BATCH_SIZE = 1000


class WmsApiError(Exception):
    """The API answered with an error; ``problem`` is its RFC 9457 document.

    Attributes
    ----------
    status
        HTTP status code.
    problem
        The problem document (``type``, ``title``, ``status``, ``detail``, ``instance``,
        ``errors`` with JSON pointers for validation problems); ``{}`` if the body was not JSON.
    """

    def __init__(self, status: int, problem: dict[str, Any], method: str, url: str) -> None:
        self.status = status
        self.problem = problem
        self.method = method
        self.url = url
        detail = problem.get("detail") or problem.get("title") or "request failed"
        super().__init__(f"{method} {url}: {status} {detail}")

    @property
    def type(self) -> str:
        """The problem type URI (``urn:wms:problem:not-found``, or ``about:blank``)."""
        return str(self.problem.get("type", "about:blank"))

    @property
    def detail(self) -> str | None:
        """The human explanation."""
        detail = self.problem.get("detail")
        return None if detail is None else str(detail)

    @property
    def errors(self) -> list[dict[str, Any]]:
        """Validation errors (each with ``pointer`` or ``parameter`` and ``detail``)."""
        return list(self.problem.get("errors") or [])


def _json(body: Body) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", exclude_none=True)
    return dict(body)


def _params(**values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, datetime):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


class WmsClient:
    """Client of the wms HTTP API (``/v1``).

    Parameters
    ----------
    base_url
        Server root, e.g. ``"http://127.0.0.1:8000"`` (``/v1`` is added).
    api_key
        The key from ``wms apikey create``; sent as ``Authorization: Bearer``.
    transport
        An httpx transport (e.g. :class:`httpx.MockTransport`) instead of the network.
    http_client
        A ready :class:`httpx.Client` to use instead (e.g. FastAPI's ``TestClient``); the client
        does not close it.
    timeout_s
        Time allowed per request (of the client made here; an ``http_client`` keeps its own).
    retries
        Extra attempts of a request that failed on the network (POSTs keep their
        ``Idempotency-Key``, so a retry is safe).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        timeout_s: float = 30.0,
        retries: int = 2,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        self._owned = http_client is None
        self._http = http_client or httpx.Client(
            base_url=base_url, transport=transport, timeout=timeout_s
        )
        self._root = base_url.rstrip("/") + "/v1"
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        self.retries = retries

    # -- plumbing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool (not an ``http_client`` passed in)."""
        if self._owned:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send one request to ``/v1{path}``; :class:`WmsApiError` on a 4xx/5xx answer.

        POSTs get an ``Idempotency-Key`` (``idempotency_key`` or a new UUID) and are retried
        with it after a network error, up to :attr:`retries` times.
        """
        headers = dict(self._headers)
        if method.upper() == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        url = self._root + path
        for attempt in range(self.retries + 1):
            try:
                response = self._http.request(
                    method,
                    url,
                    json=json,
                    params=dict(params) if params else None,
                    headers=headers,
                )
                break
            except httpx.TransportError:
                if attempt == self.retries:
                    raise
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            raise WmsApiError(
                response.status_code,
                problem if isinstance(problem, dict) else {},
                method.upper(),
                str(response.request.url),
            )
        return response

    def _get(self, model: type[M], path: str, **params: Any) -> M:
        return model.model_validate(self.request("GET", path, params=_params(**params)).json())

    def _post(self, model: type[M], path: str, body: Any, idempotency_key: str | None) -> M:
        response = self.request("POST", path, json=body, idempotency_key=idempotency_key)
        return model.model_validate(response.json())

    def _pages(self, model: type[M], path: str, page_size: int, **params: Any) -> Iterator[M]:
        cursor: str | None = None
        while True:
            query = _params(limit=page_size, cursor=cursor, **params)
            page = self.request("GET", path, params=query).json()
            for item in page["items"]:
                yield model.model_validate(item)
            cursor = page.get("next_cursor")
            if not cursor:
                return

    # -- planning (stateless) ---------------------------------------------------------------------

    def plan(
        self, body: PlanIn | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> PlanOut:
        """``POST /v1/plans``: waves, pick lists in walking order, totes and totals."""
        return self._post(PlanOut, "/plans", _json(body), idempotency_key)

    def route(
        self, body: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """``POST /v1/routes``: route one or many pick lists (the answer as a dict)."""
        response = self.request(
            "POST", "/routes", json=_json(body), idempotency_key=idempotency_key
        )
        data: dict[str, Any] = response.json()
        return data

    # -- orders and holds -------------------------------------------------------------------------

    def import_order(
        self, order: OrderIn | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> OrderOut:
        """``POST /v1/orders``: one order; :class:`WmsApiError` 409 if its reference exists."""
        return self._post(OrderOut, "/orders", _json(order), idempotency_key)

    def import_orders(
        self,
        orders: Sequence[OrderIn | Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        idempotency_key: str | None = None,
    ) -> OrderBatchOut:
        """``POST /v1/orders/batch`` in batches of ``batch_size``; the results merged in order.

        Duplicates are reported per order (``skipped``/``conflict``), not raised. With
        ``idempotency_key``, batch ``k`` uses ``"{idempotency_key}-{k}"``.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        merged: OrderBatchOut | None = None
        for k, start in enumerate(range(0, len(orders), batch_size)):
            chunk = [_json(o) for o in orders[start : start + batch_size]]
            key = None if idempotency_key is None else f"{idempotency_key}-{k}"
            out = self._post(OrderBatchOut, "/orders/batch", {"orders": chunk}, key)
            if merged is None:
                merged = out
                continue
            merged = OrderBatchOut(
                imported=merged.imported + out.imported,
                released=merged.released + out.released,
                held=merged.held + out.held,
                skipped=merged.skipped + out.skipped,
                conflicts=merged.conflicts + out.conflicts,
                rejected=merged.rejected + out.rejected,
                results=[*merged.results, *out.results],
            )
        if merged is None:
            return OrderBatchOut(
                imported=0, released=0, held=0, skipped=0, conflicts=0, rejected=0, results=[]
            )
        return merged

    def get_order(self, reference_id: str) -> OrderOut:
        """``GET /v1/orders/{reference_id}``."""
        return self._get(OrderOut, f"/orders/{reference_id}")

    def order_timeline(self, reference_id: str) -> list[TimelineEntryOut]:
        """``GET /v1/orders/{reference_id}/timeline``: every status step, oldest first."""
        data = self.request("GET", f"/orders/{reference_id}/timeline").json()
        return [TimelineEntryOut.model_validate(e) for e in data]

    def list_orders(
        self,
        *,
        status: str | None = None,
        channel: str | None = None,
        customer_id: str | None = None,
        page_size: int = 100,
    ) -> Iterator[OrderOut]:
        """``GET /v1/orders``: every matching order, page after page (by reference)."""
        return self._pages(
            OrderOut,
            "/orders",
            page_size,
            status=status,
            channel=channel,
            customer_id=customer_id,
        )

    def cancel_order(self, reference_id: str, *, by: str, reason: str) -> OrderOut:
        """``POST /v1/orders/{reference_id}/cancel``."""
        body = {"cancelled_by": by, "reason": reason}
        return self._post(OrderOut, f"/orders/{reference_id}/cancel", body, None)

    def pack_order(self, reference_id: str, *, by: str | None = None) -> OrderOut:
        """``POST /v1/orders/{reference_id}/pack``."""
        return self._post(OrderOut, f"/orders/{reference_id}/pack", {"packed_by": by}, None)

    def ship_order(
        self, reference_id: str, *, tracking: str | None = None, by: str | None = None
    ) -> OrderOut:
        """``POST /v1/orders/{reference_id}/ship``."""
        body = {"tracking": tracking, "shipped_by": by}
        return self._post(OrderOut, f"/orders/{reference_id}/ship", body, None)

    def list_holds(
        self,
        *,
        rule: str | None = None,
        order_id: str | None = None,
        include_released: bool = False,
        page_size: int = 100,
    ) -> Iterator[HoldOut]:
        """``GET /v1/holds``: open holds (or all), oldest first."""
        return self._pages(
            HoldOut,
            "/holds",
            page_size,
            rule=rule,
            order_id=order_id,
            include_released=include_released,
        )

    def release_hold(self, hold_id: int, *, by: str, reason: str) -> HoldReleaseOut:
        """``POST /v1/holds/{hold_id}/release`` with who and why."""
        body = {"released_by": by, "reason": reason}
        return self._post(HoldReleaseOut, f"/holds/{hold_id}/release", body, None)

    # -- waves and picking ------------------------------------------------------------------------

    def create_wave(
        self,
        layout_id: str,
        *,
        order_ids: Sequence[str] | None = None,
        by: str | None = None,
        idempotency_key: str | None = None,
    ) -> WaveCreatedOut:
        """``POST /v1/waves``: plan the released orders (or ``order_ids``) on a shipped layout."""
        body: dict[str, Any] = {"layout_id": layout_id, "created_by": by}
        if order_ids is not None:
            body["order_ids"] = list(order_ids)
        return self._post(WaveCreatedOut, "/waves", body, idempotency_key)

    def get_wave(self, wave_id: int) -> WaveOut:
        """``GET /v1/waves/{wave_id}``."""
        return self._get(WaveOut, f"/waves/{wave_id}")

    def release_wave(self, wave_id: int) -> WaveOut:
        """``POST /v1/waves/{wave_id}/release``."""
        return self._post(WaveOut, f"/waves/{wave_id}/release", None, None)

    def get_pick_list(self, pick_list_id: int) -> PickListOut:
        """``GET /v1/picklists/{pick_list_id}``: tasks in walking order."""
        return self._get(PickListOut, f"/picklists/{pick_list_id}")

    def confirm_pick(
        self,
        pick_list_id: int,
        task_id: int,
        qty_picked: int,
        *,
        by: str | None = None,
        missing_at_location: bool = True,
    ) -> PickResultOut:
        """``POST /v1/picklists/{id}/tasks/{task_id}/confirm``; fewer units is a short pick."""
        body = {
            "qty_picked": qty_picked,
            "picked_by": by,
            "missing_at_location": missing_at_location,
        }
        path = f"/picklists/{pick_list_id}/tasks/{task_id}/confirm"
        return self._post(PickResultOut, path, body, None)

    # -- receiving and stock ----------------------------------------------------------------------

    def create_receipt(
        self, receipt: ReceiptIn | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> ReceiptOut:
        """``POST /v1/receipts``: announce a delivery (ASN)."""
        return self._post(ReceiptOut, "/receipts", _json(receipt), idempotency_key)

    def get_receipt(self, receipt_id: str) -> ReceiptOut:
        """``GET /v1/receipts/{receipt_id}``."""
        return self._get(ReceiptOut, f"/receipts/{receipt_id}")

    def receive_receipt(
        self, receipt_id: str, counts: Sequence[Mapping[str, Any]], *, by: str | None = None
    ) -> ReceiveOut:
        """``POST /v1/receipts/{receipt_id}/receive`` with counts
        (``{"sku_id", "qty_received", "qty_damaged", "quality_status", "line_no"}``)."""
        body = {"counts": [dict(c) for c in counts], "received_by": by}
        return self._post(ReceiveOut, f"/receipts/{receipt_id}/receive", body, None)

    def putaway_suggestions(self, receipt_id: str) -> list[PutawaySuggestionOut]:
        """``GET /v1/receipts/{receipt_id}/putaway-suggestions``."""
        data = self.request("GET", f"/receipts/{receipt_id}/putaway-suggestions").json()
        return [PutawaySuggestionOut.model_validate(s) for s in data]

    def confirm_putaway(
        self,
        receipt_id: str,
        moves: Sequence[Mapping[str, Any]] | None = None,
        *,
        by: str | None = None,
    ) -> PutawayDoneOut:
        """``POST /v1/receipts/{receipt_id}/putaway``; ``moves=None`` accepts the suggestion."""
        body = {"moves": None if moves is None else [dict(m) for m in moves], "put_away_by": by}
        return self._post(PutawayDoneOut, f"/receipts/{receipt_id}/putaway", body, None)

    def sku_stock(self, sku_id: str) -> SkuStockOut:
        """``GET /v1/stock/skus/{sku_id}``."""
        return self._get(SkuStockOut, f"/stock/skus/{sku_id}")

    def location_stock(self, location_id: str) -> LocationStockOut:
        """``GET /v1/stock/locations/{location_id}``."""
        return self._get(LocationStockOut, f"/stock/locations/{location_id}")

    def adjust_stock(
        self,
        sku_id: str,
        location_id: str,
        delta_qty: int,
        *,
        reason: str,
        by: str | None = None,
    ) -> StockAdjustOut:
        """``POST /v1/stock/adjustments``: a count correction."""
        body = {
            "sku_id": sku_id,
            "location_id": location_id,
            "delta_qty": delta_qty,
            "reason": reason,
            "adjusted_by": by,
        }
        return self._post(StockAdjustOut, "/stock/adjustments", body, None)

    # -- returns ----------------------------------------------------------------------------------

    def create_return(
        self, body: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> ReturnOut:
        """``POST /v1/returns``: authorise an RMA (``rma_id``, ``order_id``, ``lines``)."""
        return self._post(ReturnOut, "/returns", _json(body), idempotency_key)

    def get_return(self, rma_id: str) -> ReturnOut:
        """``GET /v1/returns/{rma_id}``."""
        return self._get(ReturnOut, f"/returns/{rma_id}")

    def receive_return(
        self,
        rma_id: str,
        received: Mapping[int, int] | None = None,
        *,
        by: str | None = None,
    ) -> ReturnOut:
        """``POST /v1/returns/{rma_id}/receive``: units per line number (default: all)."""
        lines = (
            None
            if received is None
            else [{"line_no": k, "qty_received": v} for k, v in received.items()]
        )
        body = {"lines": lines, "received_by": by}
        return self._post(ReturnOut, f"/returns/{rma_id}/receive", body, None)

    def inspect_return(
        self, rma_id: str, conditions: Mapping[int, str], *, by: str | None = None
    ) -> ReturnOut:
        """``POST /v1/returns/{rma_id}/inspect``: condition per line number."""
        body = {
            "lines": [{"line_no": k, "condition": v} for k, v in conditions.items()],
            "inspected_by": by,
        }
        return self._post(ReturnOut, f"/returns/{rma_id}/inspect", body, None)

    def dispose_return(
        self,
        rma_id: str,
        line_no: int,
        disposition: str,
        *,
        location_id: str | None = None,
        by: str | None = None,
    ) -> ReturnOut:
        """``POST /v1/returns/{rma_id}/dispose``: restock (to ``location_id``), quarantine, scrap."""
        body = {
            "line_no": line_no,
            "disposition": disposition,
            "location_id": location_id,
            "disposed_by": by,
        }
        return self._post(ReturnOut, f"/returns/{rma_id}/dispose", body, None)

    # -- events and webhooks ----------------------------------------------------------------------

    def list_events(
        self,
        *,
        type: str | None = None,
        type_prefix: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        order_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page_size: int = 200,
    ) -> Iterator[EventOut]:
        """``GET /v1/events``: every matching event, in the order recorded."""
        return self._pages(
            EventOut,
            "/events",
            page_size,
            type=type,
            type_prefix=type_prefix,
            entity_type=entity_type,
            entity_id=entity_id,
            order_id=order_id,
            since=since,
            until=until,
        )

    def create_webhook(self, url: str, event_types: Sequence[str]) -> WebhookCreatedOut:
        """``POST /v1/webhooks``; keep the returned ``secret``: it is shown only this once."""
        body = {"url": url, "event_types": list(event_types)}
        return self._post(WebhookCreatedOut, "/webhooks", body, None)

    def list_webhooks(self, *, page_size: int = 100) -> Iterator[WebhookOut]:
        """``GET /v1/webhooks``."""
        return self._pages(WebhookOut, "/webhooks", page_size)

    def delete_webhook(self, webhook_id: int) -> None:
        """``DELETE /v1/webhooks/{webhook_id}``."""
        self.request("DELETE", f"/webhooks/{webhook_id}")

    def webhook_deliveries(
        self, webhook_id: int, *, status: str | None = None, page_size: int = 100
    ) -> Iterator[WebhookDeliveryOut]:
        """``GET /v1/webhooks/{webhook_id}/deliveries``."""
        return self._pages(
            WebhookDeliveryOut, f"/webhooks/{webhook_id}/deliveries", page_size, status=status
        )

"""``/v1/webhooks``: subscriptions to event types, and their delivery log.

Creating a subscription returns its signing secret (``whsec_...``) once; every delivery is signed
with it per Standard Webhooks (see :mod:`wms.api.webhooks`). ``wms webhooks deliver`` sends them.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response, status

from wms.api.deps import Page, PageDep, ReadSessionDep, SessionDep, paginate
from wms.api.problems import PROBLEM_RESPONSES
from wms.api.routers._common import require_row
from wms.api.schemas._types import RowId
from wms.api.schemas.webhooks import (
    WebhookCreatedOut,
    WebhookDeliveryOut,
    WebhookIn,
    WebhookOut,
)
from wms.api.webhooks import generate_secret
from wms.store.api_models import WebhookDelivery, WebhookSubscription

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreatedOut,
    summary="Subscribe to events",
)
def create_webhook(
    body: WebhookIn, session: SessionDep, request: Request, response: Response
) -> WebhookCreatedOut:
    """Create a subscription; the answer holds the signing secret, shown this once."""
    sub = WebhookSubscription(
        url=str(body.url), secret=generate_secret(), event_types=body.event_types, active=True
    )
    session.add(sub)
    session.flush()
    response.headers["Location"] = f"{request.url.path}/{sub.id}"
    return WebhookCreatedOut(**WebhookOut.of(sub).model_dump(), secret=sub.secret)


@router.get("", response_model=Page[WebhookOut], summary="List subscriptions")
def list_webhooks(session: ReadSessionDep, page: PageDep) -> Page[WebhookOut]:
    """Subscriptions by id (without their secrets)."""
    rows, cursor = paginate(session, sa.select(WebhookSubscription), WebhookSubscription.id, page)
    return Page[WebhookOut](items=[WebhookOut.of(s) for s in rows], next_cursor=cursor)


@router.get("/{webhook_id}", response_model=WebhookOut, summary="Get one subscription")
def get_webhook(webhook_id: RowId, session: ReadSessionDep) -> WebhookOut:
    """One subscription; 404 when unknown."""
    sub: WebhookSubscription = require_row(
        session, WebhookSubscription, webhook_id, "webhook subscription"
    )
    return WebhookOut.of(sub)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a subscription",
)
def delete_webhook(webhook_id: RowId, session: SessionDep) -> Response:
    """Delete a subscription and its delivery log; nothing more is sent to it."""
    require_row(session, WebhookSubscription, webhook_id, "webhook subscription")
    session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.subscription_id == webhook_id))
    session.execute(sa.delete(WebhookSubscription).where(WebhookSubscription.id == webhook_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[WebhookDeliveryOut],
    summary="Delivery log of a subscription",
)
def list_deliveries(
    webhook_id: RowId,
    session: ReadSessionDep,
    page: PageDep,
    status_: Annotated[
        str | None, Query(alias="status", description="pending, delivered or failed")
    ] = None,
) -> Page[WebhookDeliveryOut]:
    """Deliveries to this subscription by id, with attempts and the last error."""
    require_row(session, WebhookSubscription, webhook_id, "webhook subscription")
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.subscription_id == webhook_id)
    if status_ is not None:
        stmt = stmt.where(WebhookDelivery.status == status_)
    rows, cursor = paginate(session, stmt, WebhookDelivery.id, page)
    return Page[WebhookDeliveryOut](
        items=[WebhookDeliveryOut.of(d) for d in rows], next_cursor=cursor
    )

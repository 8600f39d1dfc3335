"""Operations: ``/healthz`` for the load balancer, ``/metrics`` for the city hall's own monitoring."""
from __future__ import annotations

import hmac
import ipaddress
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from ..errors import HubError
from ..metrics import render_metrics
from ..settings import METRICS_TOKEN_ENV
from .deps import Settings, Store

__all__ = ["router"]

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz(store: Store) -> dict[str, Any]:
    return {"ok": True, "events": store.event_total(), "hub_time": time.time()}


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request, store: Store, settings: Settings) -> Response:
    token = settings.scrape_token
    if not _may_scrape(request, token):
        how = "Authorization: Bearer $" + METRICS_TOKEN_ENV if token else f"set {METRICS_TOKEN_ENV}"
        raise HubError(403, "forbidden", f"/metrics is for the city hall's monitoring only ({how})")
    return PlainTextResponse(render_metrics(store), media_type="text/plain; version=0.0.4")


def _may_scrape(request: Request, metrics_token: str | None) -> bool:
    """With a token: whoever presents it. Without: a client on this machine, not relayed by a proxy.

    The reverse proxy also connects from loopback, so a request it forwarded (it says so in
    ``X-Forwarded-For`` / ``Forwarded``) counts as coming from outside.
    """
    if metrics_token:
        presented = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(presented.encode("latin-1", "replace"), metrics_token.encode("utf-8"))  # raw header bytes
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False

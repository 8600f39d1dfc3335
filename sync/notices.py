"""The station side of 办件短信: after each pull, fetch what the city hall texted about its cases.

``GET /api/v1/notices?after=T&after_id=ID`` (signed like pull) pages through the texts
of cases this station may see, oldest change first; the station keeps the latest status
per case and step, for its case screen and ``station case --json``.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from station.errors import BadInput

if TYPE_CHECKING:
    from .client import SyncClient

__all__ = ["fetch_notices", "NOTICES_CURSOR_META"]

NOTICES_CURSOR_META = "notices_cursor"
_PAGE = 500
log = logging.getLogger(__name__)


def fetch_notices(client: SyncClient) -> int:
    """Fetch and keep every text changed after this station's cursor; returns how many arrived."""
    store, received = client.store, 0
    while True:
        after, _, after_id = (store.get_meta(NOTICES_CURSOR_META, "0 ") or "0 ").partition(" ")
        try:
            page = client.get_json(f"/api/v1/notices?after={after}&after_id={after_id}&limit={_PAGE}")
        except BadInput as exc:  # a city hall without texts (older version) answers 404
            log.warning("texts not fetched: %s", exc)
            return received
        if page["notices"]:
            store.save_sms_notices(page["notices"])
            received += len(page["notices"])
        store.set_meta(NOTICES_CURSOR_META, f"{page['after']!r} {page['after_id']}")
        if not page["more"]:
            return received

"""The hub's side of texts: start the sender with the app; tell the texts' tracking links (routes: cityhall/routes/notify.py)."""
from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from station.receipts import token_hash

from . import attach
from .config import load_notify_config
from .providers import make_provider
from .sender import NoticeSender
from .tables import sms_links

__all__ = ["start_notices", "link_matches"]


def link_matches(engine: Engine, case_no: str, token: str) -> bool:
    """True when ``token`` is a tracking link the hub made for one of this case's texts."""
    if not token or len(token) > 64:
        return False
    digest = token_hash(token)
    with engine.connect() as conn:
        found = conn.execute(select(sms_links.c.case_no).where(sms_links.c.token_hash == digest)).scalar()
    return found is not None and hmac.compare_digest(found, case_no)


def start_notices(app: FastAPI, topology_file: Path, credentials: Mapping[str, str]) -> NoticeSender | None:
    """Read ``[notify]``; when a provider is named, queue texts at ingest and send them while the app runs."""
    store = app.state.store
    config = load_notify_config(topology_file, credentials)
    app.state.notify_enabled = config is not None
    if config is None:
        return None
    attach(store, config, app.state.calendar.get)
    sender = NoticeSender(store.engine, config, make_provider(config), store.topology, app.state.calendar.get)
    app.state.notice_sender = sender
    _run_with_app(app, sender)
    return sender


def _run_with_app(app: FastAPI, sender: NoticeSender) -> None:
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: Any) -> AsyncIterator[Any]:
        sender.start()
        try:
            async with previous(running) as state:
                yield state
        finally:
            await run_in_threadpool(sender.stop)

    app.router.lifespan_context = lifespan

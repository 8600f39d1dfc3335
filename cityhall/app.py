"""The city hall's ASGI app, assembled: state, middleware, the one error handler and the routers (DESIGN §7).

Each area's routes are an ``APIRouter`` in ``cityhall/routes/`` that reaches what it shares
(store, templates, settings, limiter, ...) through the typed dependencies of
``cityhall/routes/deps.py``, which read the ``app.state`` set here. Handlers that touch the
database are plain ``def`` (Starlette runs them in its thread pool) or hand their work to
``run_in_threadpool``, so the event loop never waits on I/O.
"""
from __future__ import annotations

import gc
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from station.ledger import HybridClock
from station.topology import Topology

from . import errors
from .db import make_engine, migrate
from .files import open_hub_files
from .notify.web import start_notices
from .publish import PublishedCalendar
from .routes import ROUTERS
from .security import HubHeaders, MissLimiter, PrivateTrackingAnswers
from .settings import METRICS_TOKEN_ENV, HubSettings
from .staff_accounts import session_key
from .store import HubStore

__all__ = ["create_app", "HubSettings", "settle_garbage_collector", "METRICS_TOKEN_ENV"]

_HERE = Path(__file__).resolve().parent


def create_app(settings: HubSettings) -> FastAPI:
    """The hub on ``settings.db_url``, its tables migrated (under the migration lock) first."""
    engine = make_engine(settings.db_url)
    migrate(engine)
    store = HubStore(engine, Topology.load(settings.topology_file))
    app = FastAPI(title="城市政务服务中心 · 同步与办件查询", version="1", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.store = store
    app.state.calendar = PublishedCalendar(engine)
    app.state.limiter = MissLimiter(settings.miss_limit, settings.miss_window_s)
    app.state.templates = Jinja2Templates(directory=str(_HERE / "templates"))
    app.state.hub_clock = HybridClock()
    app.state.files = open_hub_files(engine, settings)
    app.state.session_key = session_key(engine)
    app.add_middleware(HubHeaders)
    app.add_middleware(PrivateTrackingAnswers)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router)
    start_notices(app, settings.topology_file, settings.env.notify_credentials)
    return app


def settle_garbage_collector() -> None:
    """Keep Python's cyclic collector off what lives as long as a city hall process.

    With the default thresholds the collector re-scanned every module, route and cached
    case state a few hundred times per 5,000 ingested events: a quarter of the ingest
    time. What exists after start-up is frozen out of its scans, and young objects are
    collected every 50,000 allocations instead of every 700 (most die young, freed by their
    count of references before a scan sees them: at 10,000 the scans still cost a push of 100
    events 2 % of its instructions, at 25,000 to 100,000 nothing more measurable). ``cityhall
    serve`` calls this once the app is built; it changes the whole process, so ``create_app`` does not.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)

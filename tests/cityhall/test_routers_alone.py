"""Each area's router works mounted alone in a small app with the state its dependencies read,
and the one HubError handler answers every refusal in the fixed ``{error, reason, hub_time}`` shape."""
from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Annotated

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Depends, FastAPI
from fastapi.templating import Jinja2Templates
from fastapi.testclient import TestClient

from cityhall import errors
from cityhall.db import make_engine, migrate
from cityhall.errors import HubError
from cityhall.publish import PublishedCalendar
from cityhall.routes import ROUTERS, deps, files, operations, staff, sync, tracking
from cityhall.security import AuthFailure, MissLimiter
from cityhall.settings import HubEnvironment, HubSettings
from cityhall.staff_accounts import session_key
from cityhall.store import HubStore
from station.keys import public_key_text
from station.ledger import HybridClock
from station.topology import Topology
from sync.signing import signed_headers
from tests.support.demo import VILLAGE

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "cityhall" / "templates"


def _alone(tmp_path: Path, *routers: APIRouter, metrics_token: str | None = None) -> tuple[TestClient, HubStore]:
    """A FastAPI app with only ``routers``, the error handler and the state ``cityhall/routes/deps.py`` reads."""
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    store = HubStore(engine, Topology.load(ROOT / "stations.toml"))
    app = FastAPI()
    app.state.store = store
    app.state.settings = HubSettings(db_url, ROOT / "stations.toml", miss_limit=2, metrics_token=metrics_token,
                                     env=HubEnvironment.read({}))
    app.state.limiter = MissLimiter(2, 600.0)
    app.state.calendar = PublishedCalendar(engine)
    app.state.templates = Jinja2Templates(directory=str(TEMPLATES))
    app.state.hub_clock = HybridClock()
    app.state.session_key = session_key(engine)
    errors.install(app)
    for router in routers:
        app.include_router(router)
    return TestClient(app), store


def _enrolled(store: HubStore) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    store.enroll(VILLAGE, public_key_text(key))
    return key


def _refusal(answer: object, status: int, error: str) -> dict[str, object]:
    body = answer.json()  # type: ignore[attr-defined]
    assert answer.status_code == status, body  # type: ignore[attr-defined]
    assert body["error"] == error and isinstance(body["reason"], str) and body["reason"]
    assert abs(body["hub_time"] - time.time()) < 60
    return body


# -- the handler ----------------------------------------------------------------------

def test_the_handler_answers_a_hub_error_in_the_fixed_shape_with_its_extras_and_headers() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/refuse")
    def refuse() -> None:
        raise HubError(409, "offset_mismatch", "the hub holds 5 bytes; send from there", received=5,
                       headers={"Cache-Control": "no-store"})

    answer = TestClient(app).get("/refuse")
    body = _refusal(answer, 409, "offset_mismatch")
    assert set(body) == {"error", "reason", "hub_time", "received"} and body["received"] == 5
    assert answer.headers["cache-control"] == "no-store"


def test_an_auth_failure_is_a_hub_error_and_a_skew_keeps_the_clock_it_was_judged_by() -> None:
    skew = AuthFailure(401, "clock off by 900 s", error="clock_skew", hub_time=1234.5)
    assert isinstance(skew, HubError)
    assert skew.body() == {"error": "clock_skew", "reason": "clock off by 900 s", "hub_time": 1234.5}
    assert (AuthFailure(401, "x").error, AuthFailure(403, "x").error) == ("unauthorised", "forbidden")


# -- the signed station ----------------------------------------------------------------

def _echo_app(tmp_path: Path) -> tuple[TestClient, HubStore]:
    router = APIRouter()

    @router.post("/echo")
    def echo(signed: Annotated[deps.Signed, Depends(deps.SignedBy(16, "at most 16 bytes"))]) -> dict[str, object]:
        return {"station": signed.station, "body": signed.body.decode()}

    return _alone(tmp_path, router)


def test_the_signed_dependency_bounds_the_body_before_it_checks_the_signature(tmp_path: Path) -> None:
    client, store = _echo_app(tmp_path)
    key = _enrolled(store)
    _refusal(client.post("/echo", content=b"x" * 17), 413, "too_large")
    _refusal(client.post("/echo", content=b"hello"), 401, "unauthorised")
    forged = signed_headers(Ed25519PrivateKey.generate(), VILLAGE, "POST", "/echo", b"hello", time.time())
    _refusal(client.post("/echo", content=b"hello", headers=forged), 401, "unauthorised")
    good = signed_headers(key, VILLAGE, "POST", "/echo", b"hello", time.time())
    assert client.post("/echo", content=b"hello", headers=good).json() == {"station": VILLAGE, "body": "hello"}
    stale = signed_headers(key, VILLAGE, "POST", "/echo", b"hello", time.time() - 3600)
    _refusal(client.post("/echo", content=b"hello", headers=stale), 401, "clock_skew")


# -- each router alone ---------------------------------------------------------------------

def test_the_sync_router_alone_pulls_for_a_signed_station_and_refuses_others(tmp_path: Path) -> None:
    client, store = _alone(tmp_path, sync.router)
    key = _enrolled(store)
    path = "/api/v1/sync/pull?after=0&limit=10"
    answer = client.get(path, headers=signed_headers(key, VILLAGE, "GET", path, b"", time.time()))
    assert answer.status_code == 200 and answer.json()["events"] is not None and answer.json()["more"] is False
    _refusal(client.get(path), 401, "unauthorised")
    body = gzip.compress(b"not a batch")
    headers = signed_headers(key, VILLAGE, "POST", "/api/v1/sync/push", body, time.time())
    _refusal(client.post("/api/v1/sync/push", content=body, headers=headers), 400, "malformed_body")


def test_a_query_fastapi_refuses_is_answered_in_the_fixed_shape_naming_every_problem(tmp_path: Path) -> None:
    client, store = _alone(tmp_path, sync.router)
    key = _enrolled(store)
    path = "/api/v1/sync/pull?after=abc&limit=0"
    body = _refusal(client.get(path, headers=signed_headers(key, VILLAGE, "GET", path, b"", time.time())), 422,
                    "malformed_request")
    assert "after" in str(body["reason"]) and "limit" in str(body["reason"]) and len(body["detail"]) == 2  # type: ignore[arg-type]


def test_the_operations_router_alone_answers_health_and_guards_the_metrics(tmp_path: Path) -> None:
    client, _ = _alone(tmp_path, operations.router, metrics_token="s3cret")
    assert client.get("/healthz").json()["ok"] is True
    _refusal(client.get("/metrics"), 403, "forbidden")
    scraped = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert scraped.status_code == 200 and "cityhall_" in scraped.text


def test_the_tracking_router_alone_answers_misses_as_json_and_as_its_own_page(tmp_path: Path) -> None:
    client, _ = _alone(tmp_path, tracking.router)
    case = f"{VILLAGE}202611010001"
    _refusal(client.get(f"/api/v1/track/{case}/ABCDEFGHIJKLMNOP"), 404, "not_found")
    page = client.get(f"/T/{case}/ABCDEFGHIJKLMNOP")
    assert page.status_code == 404 and "没有找到该办件" in page.text and "text/html" in page.headers["content-type"]
    _refusal(client.get(f"/api/v1/track/{case}/ABCDEFGHIJKLMNOP"), 429, "too_many_misses")
    rated = client.post(f"/api/v1/track/{case}/ABCDEFGHIJKLMNOP/rating", content=json.dumps({"level": 9}))
    assert _refusal(rated, 400, "malformed_body")["problems"]


def test_the_files_router_alone_refuses_a_malformed_name_before_the_signature(tmp_path: Path) -> None:
    client, store = _alone(tmp_path, files.router)
    app = client.app
    from cityhall.files import open_hub_files

    app.state.files = open_hub_files(store.engine, app.state.settings)  # type: ignore[attr-defined]
    _refusal(client.get("/api/v1/files/NOT-A-HASH/status"), 400, "malformed_name")
    sha = "ab" * 32
    _refusal(client.get(f"/api/v1/files/{sha}/status"), 401, "unauthorised")
    key = _enrolled(store)
    path = f"/api/v1/files/{sha}"
    _refusal(client.get(path, headers=signed_headers(key, VILLAGE, "GET", path, b"", time.time())), 404, "not_found")


def test_the_staff_router_alone_sends_strangers_to_the_login(tmp_path: Path) -> None:
    client, _ = _alone(tmp_path, staff.router)
    digest = client.get("/staff/api/digest")
    _refusal(digest, 401, "unauthorised")
    assert digest.headers["cache-control"] == "no-store"
    assert client.get("/staff/", follow_redirects=False).headers["location"].startswith("/staff/login")
    assert "csrf" in client.get("/staff/login").text


@pytest.mark.parametrize("router", ROUTERS, ids=lambda r: r.routes[0].path)  # type: ignore[attr-defined]
def test_no_router_reads_the_app_in_a_closure(router: APIRouter) -> None:
    """Every route is a module-level function: the router needs no app to be built."""
    for route in router.routes:
        endpoint = route.endpoint  # type: ignore[attr-defined]
        assert endpoint.__qualname__ == endpoint.__name__, endpoint.__qualname__

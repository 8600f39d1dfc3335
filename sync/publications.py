"""The station side of "one catalogue, one calendar": fetch what the city hall published.

After each pull the client asks ``GET /api/v1/publications?after=N`` (signed like pull,
with ``&encryption_key=`` publishing this station's bundle key) and writes every item
definition into ``home.catalogue_dir`` and every working-day table into
``home.calendar_dir``, each checked again with the station's own parser and written
atomically (temporary file, then rename). Then the station reloads its catalogue and
calendar and recomputes its open cases' deadlines, so a "no calendar for 2027" becomes a
date. Cases keep the item version recorded in their ``received`` event.
Each page also brings the revoked keys and the encryption keys of the city hall and of
the enrolled stations above and below this one (what bundles are sealed to).
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms import CatalogueError, parse_item
from station.enckey import own_encryption_public, save_known_keys
from station.errors import BadInput
from station.service import StationService
from station.workdays import CalendarError, parse_table

from .revoked import save_revocations

if TYPE_CHECKING:
    from .client import SyncClient

__all__ = ["PUBLICATIONS_CURSOR_META", "PublicationsReport", "fetch_publications", "store_publication",
           "reload_publications"]

PUBLICATIONS_CURSOR_META = "publications_cursor"
_PAGE = 50
log = logging.getLogger(__name__)


@dataclass
class PublicationsReport:
    items: list[str] = field(default_factory=list)
    calendars: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """``name: reason`` of publications this station could not use (logged, skipped)."""
    refreshed_cases: int = 0

    @property
    def received(self) -> int:
        return len(self.items) + len(self.calendars)


def fetch_publications(client: SyncClient) -> PublicationsReport:
    """Fetch, store and apply every publication after this station's cursor."""
    report = PublicationsReport()
    service, store = client.service, client.store
    while True:
        cursor = int(store.get_meta(PUBLICATIONS_CURSOR_META, "0") or 0)
        page = _page(client, cursor)
        if page is None:
            break
        if "revocations" in page:
            save_revocations(store, page["revocations"])
        if "encryption_keys" in page:
            save_known_keys(store, page["encryption_keys"])
        for publication in page["publications"]:
            store_publication(service, publication, report)
        store.set_meta(PUBLICATIONS_CURSOR_META, str(page["cursor"]))
        if not page["more"]:
            break
    if report.received:
        report.refreshed_cases = reload_publications(service)
    return report


def _page(client: SyncClient, cursor: int) -> dict[str, Any] | None:
    """One page; the request also publishes this station's encryption key (signed, like the whole query)."""
    own = own_encryption_public(client.service.store, client.service.home.root)
    path = f"/api/v1/publications?after={cursor}&limit={_PAGE}" + (f"&encryption_key={own}" if own else "")
    try:
        return client.get_json(path)
    except BadInput as exc:  # a city hall without publications (older version) answers 404
        log.warning("publications not fetched: %s", exc)
        return None


def store_publication(service: StationService, publication: dict[str, Any], report: PublicationsReport) -> None:
    name, body = str(publication.get("name", "")), str(publication.get("body", ""))
    problem = _problem(publication, name, body)
    if problem:
        log.warning("publication %s refused: %s", name, problem)
        report.refused.append(f"{name}: {problem}")
        return
    folder = service.home.catalogue_dir if publication["kind"] == "item" else service.home.calendar_dir
    _write_atomically(folder / name, body)
    (report.items if publication["kind"] == "item" else report.calendars).append(name)


def _problem(publication: dict[str, Any], name: str, body: str) -> str | None:
    """Why this station will not use the publication; None when it is sound."""
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != publication.get("sha256"):
        return "sha256 does not match the body"
    if "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".toml"):
        return "not a plain *.toml file name"
    try:
        if publication.get("kind") == "item":
            parse_item(body, name)
        elif publication.get("kind") == "calendar":
            parse_table(body, year=int(name.removesuffix(".toml")), source=name)
        else:
            return f"unknown kind {publication.get('kind')!r}"
    except (CatalogueError, CalendarError, ValueError) as exc:
        return str(exc).replace("\n", " ")
    return None


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def reload_publications(service: StationService) -> int:
    """Load the merged catalogue and calendar again; recompute open cases' deadlines."""
    service.catalogue = service.home.catalogue()
    service.calendar = service.home.calendar()
    return service.refresh_deadlines()

"""What every command handler gets: the home, output mode and the service, opened lazily."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from station.errors import BadInput
from station.home import StationHome

if TYPE_CHECKING:  # the service (store, ledger, keys) loads when a command first asks for it
    from forms import Catalogue
    from station.pins import PinDigests
    from station.service import Operator, StationService

__all__ = ["Context", "emit", "add_give_up_option", "give_up_window", "GIVE_UP_MAX_S"]

GIVE_UP_MAX_S = 30.0
"""A command that talks to the city hall gives up within this many seconds (DESIGN §7)."""


class Context:
    """A plain class, not a dataclass: a read-only command's start does not load ``dataclasses``
    (:mod:`forms.records` says what that costs)."""

    __slots__ = ("home", "json", "args", "digests", "_service")

    def __init__(self, home: StationHome, json: bool, args: argparse.Namespace,
                 digests: PinDigests | None = None) -> None:
        self.home = home
        self.json = json
        self.args = args
        self.digests = digests
        """The unlock's PIN digests, one perhaps started already (:mod:`station.unlock_ahead`)."""
        self._service: StationService | None = None

    @property
    def service(self) -> StationService:
        if self._service is None:
            from station.lockbox import Credentials
            from station.service import StationService

            credentials = Credentials.from_env(getattr(self.args, "agent", None), self.digests)
            self._service = StationService(self.home, credentials=credentials)
        return self._service

    def catalogue(self) -> Catalogue:
        """The item catalogue: the open service's, else the home's alone (no store, no keys)."""
        if self._service is not None:
            return self._service.catalogue
        self.home.require()
        return self.home.catalogue()

    def operator(self) -> Operator:
        agent = getattr(self.args, "agent", None)
        if not agent:
            raise BadInput("请用 --agent 指定操作员工号")
        return self.service.sign_in(agent, os.environ.get("STATION_PIN"))

    def close(self) -> None:
        if self._service is not None:
            self._service.close()


def emit(ctx: Context, payload: dict[str, Any], text: str | Callable[[], str]) -> None:
    """One JSON object with ``--json``, else the human-readable text (given as a function, it is
    made only when shown: padding CJK text and the form's labels cost a read-only command's start)."""
    if ctx.json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    else:
        shown = text() if callable(text) else text
        sys.stdout.write(shown.rstrip("\n") + "\n")


def add_give_up_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--give-up-after", type=float, default=GIVE_UP_MAX_S, metavar="SECONDS",
                        help="连不上时最多重试多久（默认 30 秒，不超过 30 秒）")


def give_up_window(seconds: float) -> float:
    """``--give-up-after`` kept between half a second and 30 seconds."""
    return min(max(seconds, 0.5), GIVE_UP_MAX_S)

"""What every command handler gets: the home, output mode and the service, opened lazily."""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from station.errors import BadInput
from station.home import StationHome
from station.service import Operator, StationService

__all__ = ["Context", "emit"]


@dataclass
class Context:
    home: StationHome
    json: bool
    args: argparse.Namespace
    _service: StationService | None = field(default=None, repr=False)

    @property
    def service(self) -> StationService:
        if self._service is None:
            self._service = StationService(self.home)
        return self._service

    def operator(self) -> Operator:
        agent = getattr(self.args, "agent", None)
        if not agent:
            raise BadInput("请用 --agent 指定操作员工号")
        return self.service.sign_in(agent, os.environ.get("STATION_PIN"))

    def close(self) -> None:
        if self._service is not None:
            self._service.close()


def emit(ctx: Context, payload: dict[str, Any], text: str) -> None:
    """One JSON object with ``--json``, else the human-readable text."""
    if ctx.json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")

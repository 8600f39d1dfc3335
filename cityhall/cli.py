"""``cityhall serve`` and ``cityhall enroll`` (DESIGN §7). Both create or upgrade the schema."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from station.topology import TopologyError

__all__ = ["main", "default_db_url", "default_config"]


def default_db_url() -> str:
    return os.environ.get("CITYHALL_DB") or "sqlite:///cityhall.db"


def default_config() -> Path:
    return Path(os.environ.get("STATION_CONFIG") or "stations.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cityhall", description="City hall: sync hub and citizens' tracking pages")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the hub (sync API, tracking pages, /metrics)")
    serve.add_argument("--db", default=None, help="sqlite:///PATH (default) or postgresql://...")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--config", type=Path, default=None, help="stations.toml (default: $STATION_CONFIG or ./stations.toml)")
    enroll = commands.add_parser("enroll", help="register or replace a station's public key")
    enroll.add_argument("code", help="the station's 12-digit code")
    enroll.add_argument("public_key", help="as printed by `station init`")
    enroll.add_argument("--db", default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _serve(args) if args.command == "serve" else _enroll(args)
    except (TopologyError, ValueError, OSError) as exc:
        sys.stderr.write(f"cityhall {args.command}: {exc}\n")
        return 2


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import HubSettings, create_app
    config = args.config or default_config()
    if not config.is_file():
        raise ValueError(f"no stations file at {config}: pass --config or set STATION_CONFIG")
    app = create_app(HubSettings(db_url=args.db or default_db_url(), topology_file=config))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def _enroll(args: argparse.Namespace) -> int:
    from .db import make_engine, migrate
    from .store import enroll_station

    if not (len(args.code) == 12 and args.code.isdigit()):
        raise ValueError(f"station code must be 12 digits, got {args.code!r}")
    engine = make_engine(args.db or default_db_url())
    migrate(engine)
    replaced = enroll_station(engine, args.code, args.public_key)
    print(f"{'re-enrolled (key replaced)' if replaced else 'enrolled'} {args.code}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

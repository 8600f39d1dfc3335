"""``cityhall serve`` and ``cityhall enroll`` (DESIGN §7). Both create or upgrade the schema."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from station.topology import TopologyError

from .office_cli import add_office_commands

__all__ = ["main", "build_parser", "default_db_url", "default_config", "app_from_env"]


def default_db_url() -> str:
    return os.environ.get("CITYHALL_DB") or "sqlite:///cityhall.db"


def default_config() -> Path:
    return Path(os.environ.get("STATION_CONFIG") or "stations.toml")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cityhall", description="City hall: sync hub and citizens' tracking pages")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the hub (sync API, tracking pages, /metrics)")
    serve.add_argument("--db", default=None, help="sqlite:///PATH (default) or postgresql://...")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--config", type=Path, default=None, help="stations.toml (default: $STATION_CONFIG or ./stations.toml)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes on the same database")
    enroll = commands.add_parser("enroll", help="register or replace a station's public key")
    enroll.add_argument("code", help="the station's 12-digit code")
    enroll.add_argument("public_key", help="as printed by `station init`")
    enroll.add_argument("--db", default=None)
    revoke = commands.add_parser("revoke", help="refuse every request and bundle signed by a station's key from now on")
    revoke.add_argument("code", help="the station's 12-digit code")
    revoke.add_argument("--db", default=None)
    revoke.add_argument("--reason", default="", help="why (lost, stolen, disk dead): shown to staff and stations")
    revoke.add_argument("--json", action="store_true", help="one JSON object on stdout")
    verify = commands.add_parser("verify", help="check every station's hash chain; exit 1 if one is broken")
    verify.add_argument("--db", default=None)
    verify.add_argument("--station", default=None, help="only this station")
    verify.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_office_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        run = {"serve": _serve, "enroll": _enroll, "verify": _verify, "revoke": _revoke}.get(args.command) or args.run
        return run(args)
    except (TopologyError, ValueError, OSError) as exc:
        sys.stderr.write(f"cityhall {args.command}: {exc}\n")
        return 2


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import HubSettings, create_app, settle_garbage_collector
    config = args.config or default_config()
    if not config.is_file():
        raise ValueError(f"no stations file at {config}: pass --config or set STATION_CONFIG")
    if args.workers > 1:
        return _serve_workers(args, config)
    app = create_app(HubSettings(db_url=args.db or default_db_url(), topology_file=config))
    settle_garbage_collector()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def _serve_workers(args: argparse.Namespace, config: Path) -> int:
    """Migrate once here, then start the workers; each builds its app from the environment."""
    import uvicorn

    from .db import make_engine, migrate
    db_url = args.db or default_db_url()
    migrate(make_engine(db_url))
    os.environ["CITYHALL_DB"], os.environ["STATION_CONFIG"] = db_url, str(config.resolve())
    uvicorn.run("cityhall.cli:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="warning", access_log=False)
    return 0


def app_from_env():  # noqa: ANN201 - a FastAPI app; imported lazily like the rest of serve
    """The app of one uvicorn worker: ``$CITYHALL_DB`` and ``$STATION_CONFIG`` name the database and tree."""
    from .app import HubSettings, create_app, settle_garbage_collector
    app = create_app(HubSettings(db_url=default_db_url(), topology_file=default_config()))
    settle_garbage_collector()
    return app


def _verify(args: argparse.Namespace) -> int:
    import json

    from .chainstore import chain_reports
    from .db import make_engine, migrate
    engine = make_engine(args.db or default_db_url())
    migrate(engine)
    reports = chain_reports(engine, args.station)
    broken = [r for r in reports if r.status == "broken"]
    if args.json:
        print(json.dumps({"ok": not broken, "stations": [r.to_dict() for r in reports]}, ensure_ascii=False))
    else:
        for report in reports:
            print(f"{report.station} {report.status} ({report.events} events)")
            for problem in report.problems:
                print(f"  {problem}")
        print(f"{len(reports)} stations, {len(broken)} broken chain(s)")
    return 1 if broken else 0


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


def _revoke(args: argparse.Namespace) -> int:
    import json

    from .db import make_engine, migrate
    from .revocation import revoke_station

    if not (len(args.code) == 12 and args.code.isdigit()):
        raise ValueError(f"station code must be 12 digits, got {args.code!r}")
    engine = make_engine(args.db or default_db_url())
    migrate(engine)
    revocation = revoke_station(engine, args.code, args.reason.strip())
    if args.json:
        print(json.dumps(revocation.to_dict(), ensure_ascii=False))
    else:
        print(f"revoked the key of {args.code} at {revocation.to_dict()['revoked_at']}: every request it signs is "
              f"refused from now on; enrol the new PC with `cityhall enroll {args.code} NEW_PUBLIC_KEY`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

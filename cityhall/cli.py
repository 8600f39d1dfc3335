"""``cityhall serve`` and ``cityhall enroll`` (DESIGN §7). Both create or upgrade the schema."""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from station.cli.chinese_argparse import ChineseArgumentParser
from station.topology import TopologyError

from .notify.cli import add_notices_command
from .office_cli import add_office_commands

__all__ = ["main", "build_parser", "default_db_url", "default_config", "app_from_env"]


def default_db_url() -> str:
    from .settings import HubEnvironment

    return HubEnvironment.read().db_url


def default_config() -> Path:
    from .settings import HubEnvironment

    return HubEnvironment.read().topology_file


class _Parser(ChineseArgumentParser):
    hint = "用 cityhall --help 查看用法"


_CHAIN_STATUS = {"intact": "intact 完整", "gap": "gap 有缺口（待补齐）", "broken": "broken 已断链"}
"""Chinese first; the English word stays for scripts and alerts that grep it."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cityhall", description="市政务服务中心：同步中枢与群众查询页")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")
    serve = commands.add_parser("serve", help="运行中枢（同步接口、查询页、/metrics）")
    serve.add_argument("--db", default=None, help="数据库：sqlite:///路径（默认）或 postgresql://...")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8700, help="端口（默认 8700）")
    serve.add_argument("--config", type=Path, default=None, help="站点拓扑 stations.toml（默认 $STATION_CONFIG 或 ./stations.toml）")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn 工作进程数（共用一个数据库）")
    enroll = commands.add_parser("enroll", help="登记（或更换）站点公钥")
    enroll.add_argument("code", help="站点 12 位代码")
    enroll.add_argument("public_key", nargs="?", help="公钥，即 station init 或 station info 显示的那一串")
    enroll.add_argument("--public-key", dest="public_key_option", metavar="KEY",
                        help="同一公钥的选项写法（以 - 开头的公钥也能用 --public-key=公钥）")
    enroll.add_argument("--encryption-key", dest="encryption_key", metavar="KEY", default=None,
                        help="站点的加密公钥（station init 或 station info 显示；数据包加密给它），"
                             "不给时由站点下次联网同步时自己公布")
    enroll.add_argument("--db", default=None, help="数据库（默认 $CITYHALL_DB 或 sqlite:///cityhall.db）")
    revoke = commands.add_parser("revoke", help="吊销站点密钥：此后该密钥签名的请求和数据包一律拒收")
    revoke.add_argument("code", help="站点 12 位代码")
    revoke.add_argument("--db", default=None, help="数据库（默认 $CITYHALL_DB 或 sqlite:///cityhall.db）")
    revoke.add_argument("--reason", default="", help="原因（丢失、被盗、硬盘损坏），工作人员和各站可见")
    revoke.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    verify = commands.add_parser("verify", help="核验每个站点的事件哈希链；有断链时退出码为 1")
    verify.add_argument("--db", default=None, help="数据库（默认 $CITYHALL_DB 或 sqlite:///cityhall.db）")
    verify.add_argument("--station", default=None, help="只核验这个站点")
    verify.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    add_office_commands(commands)
    add_notices_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(_keys_as_options(list(sys.argv[1:] if argv is None else argv)))
    try:
        run = {"serve": _serve, "enroll": _enroll, "verify": _verify, "revoke": _revoke}.get(args.command) or args.run
        return run(args)
    except (TopologyError, ValueError, OSError) as exc:
        sys.stderr.write(f"cityhall {args.command}：{exc}\n")
        return 2


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import HubSettings, create_app, settle_garbage_collector
    config = args.config or default_config()
    if not config.is_file():
        raise ValueError(f"找不到站点拓扑文件 {config}：请用 --config 指定，或设置 STATION_CONFIG")
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
    from .settings import DB_ENV, TOPOLOGY_ENV
    os.environ[DB_ENV], os.environ[TOPOLOGY_ENV] = db_url, str(config.resolve())  # what each worker reads
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
            print(f"{report.station} {_CHAIN_STATUS.get(report.status, report.status)}，{report.events} 条事件")
            for problem in report.problems:
                print(f"  {problem}")
        print(f"共 {len(reports)} 个站点，断链 {len(broken)} 个")
    return 1 if broken else 0


_PUBLIC_KEY_SHAPE = re.compile(r"-[A-Za-z0-9_-]{42}")
"""An Ed25519 public key as ``station init`` prints it (43 base64url characters) that begins with ``-``."""


def _keys_as_options(argv: list[str]) -> list[str]:
    """``cityhall enroll CODE -Xy...``: one key in 64 begins with ``-`` and argparse would read it
    as an option; after ``enroll`` such a word is the key, so it is passed as ``--public-key=``."""
    if "enroll" not in argv:
        return argv
    start = argv.index("enroll") + 1
    return argv[:start] + [f"--public-key={word}" if _PUBLIC_KEY_SHAPE.fullmatch(word) else word
                           for word in argv[start:]]


def _enroll(args: argparse.Namespace) -> int:
    from .bundles import check_encryption_key
    from .db import make_engine, migrate
    from .store import enroll_station

    keys = {key for key in (args.public_key, args.public_key_option) if key}
    problems = []
    if not (len(args.code) == 12 and args.code.isdigit()):
        problems.append(f"站点代码应为 12 位数字，收到的是“{args.code}”")
    if len(keys) != 1:
        problems.append("请给出站点公钥（一次）：cityhall enroll 站点代码 --public-key=公钥"
                        if not keys else "给出了两个不同的公钥，只能给一个")
    if args.encryption_key is not None:
        try:
            check_encryption_key(args.encryption_key)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ValueError("\n".join(problems))
    engine = make_engine(args.db or default_db_url())
    migrate(engine)
    replaced = enroll_station(engine, args.code, keys.pop(), args.encryption_key)
    encryption = "，加密公钥已登记" if args.encryption_key else ""
    print(f"{'已更换公钥' if replaced else '已登记'}：{args.code}{encryption}")
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

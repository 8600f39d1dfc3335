"""``cityhall staff add`` and ``cityhall publish item|calendar`` (issue 6).

Both create or upgrade the schema first, like ``serve`` and ``enroll``. A refused
publication prints every problem, one a line on stderr, and exits 2; nothing is stored.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_office_commands", "PASSWORD_ENV"]

PASSWORD_ENV = "CITYHALL_PASSWORD"


def add_office_commands(commands: Any, db_help: str = "数据库（默认 $CITYHALL_DB 或 sqlite:///cityhall.db）") -> None:
    staff = commands.add_parser("staff", help="工作人员页面的账号")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_commands.add_parser("add", help=f"新增或重置工作人员账号；密码读环境变量 {PASSWORD_ENV}")
    add.add_argument("--id", required=True, dest="staff_id", help="工号（最长 32 个字符）")
    add.add_argument("--name", required=True, help="姓名")
    add.add_argument("--db", default=None, help=db_help)
    add.set_defaults(run=_staff_add)
    publish = commands.add_parser("publish", help="向各站发布事项定义或工作日历表")
    publish_commands = publish.add_subparsers(dest="publish_kind", required=True)
    for kind, what in (("item", "事项定义（带版本号的 TOML）"), ("calendar", "工作日历表 YYYY.toml")):
        command = publish_commands.add_parser(kind, help=f"发布{what}")
        command.add_argument("file", type=Path, help=f"{what}文件")
        command.add_argument("--db", default=None, help=db_help)
        command.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        command.set_defaults(run=_publish)


def _engine(db_url: str | None) -> Any:
    from .cli import default_db_url
    from .db import make_engine, migrate

    engine = make_engine(db_url or default_db_url())
    migrate(engine)
    return engine


def _staff_add(args: argparse.Namespace) -> int:
    from .staff_accounts import add_staff, password_problem

    problems = [p for p in (
        None if args.staff_id.strip() and len(args.staff_id) <= 32 else "工号不能为空，最长 32 个字符",
        None if args.name.strip() else "姓名不能为空",
        password_problem(os.environ.get(PASSWORD_ENV)),
    ) if p]
    if problems:
        sys.stderr.write("".join(f"cityhall staff add: {p}\n" for p in problems))
        return 2
    replaced = add_staff(_engine(args.db), args.staff_id.strip(), args.name.strip(), os.environ[PASSWORD_ENV])
    print(f"{'已重置' if replaced else '已新增'}工作人员账号 {args.staff_id.strip()}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from .publish import PublishRefused, publish_calendar, publish_item

    publish = publish_item if args.publish_kind == "item" else publish_calendar
    try:
        publication = publish(_engine(args.db), args.file)
    except PublishRefused as exc:
        sys.stderr.write("".join(f"{problem}\n" for problem in exc.problems))
        return 2
    result: dict[str, Any] = {"published": publication is not None, "kind": args.publish_kind}
    if publication is not None:
        result |= {"seq": publication.seq, "name": publication.name, "sha256": publication.sha256}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif publication is None:
        print(f"内容未变，无需再发布：{args.file}")
    else:
        print(f"已发布{'事项' if publication.kind == 'item' else '工作日历'} {publication.name}，发布序号 #{publication.seq}")
    return 0

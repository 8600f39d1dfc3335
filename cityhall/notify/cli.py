"""``cityhall notices [--db URL] [--case CASE_NO] [--status S] [--json]``: which texts went out."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_notices_command"]

_STATUS_LABELS = {"queued": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败", "skipped": "未发送"}


def add_notices_command(commands: Any) -> None:
    notices = commands.add_parser("notices", help="发给群众的办件短信及发送状态")
    notices.add_argument("--db", default=None, help="数据库（默认 $CITYHALL_DB 或 sqlite:///cityhall.db）")
    notices.add_argument("--case", default=None, dest="case_no", help="只看这个案件（带不带分隔符都可以）")
    notices.add_argument("--status", default=None,
                         help="只看这个状态：queued 待发送、sending 发送中、sent 已发送、failed 发送失败、skipped 未发送")
    notices.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    notices.set_defaults(run=_notices)


def _notices(args: argparse.Namespace) -> int:
    from station.ledger import InvalidCaseNo, display_case_no, normalise_case_no
    from station.views import NOTICE_STEP_LABELS

    from .outbox import NOTICE_STATUSES, list_notices

    problems, case_no = [], None
    if args.status and args.status not in NOTICE_STATUSES:
        problems.append(f"--status “{args.status}”不对，可选：{'、'.join(NOTICE_STATUSES)}")
    if args.case_no:
        try:
            case_no = normalise_case_no(args.case_no)
        except InvalidCaseNo as exc:
            problems.append(f"--case：{exc}")
    if problems:
        sys.stderr.write("".join(f"{p}\n" for p in problems))
        return 2
    found = list_notices(_engine(args.db), case_no, args.status)
    if args.json:
        print(json.dumps({"notices": found}, ensure_ascii=False))
        return 0
    for notice in found:
        print(f"{display_case_no(notice['case_no'])}  {NOTICE_STEP_LABELS.get(notice['step'], notice['step'])}  "
              f"{_STATUS_LABELS.get(notice['status'], notice['status'])}  {notice['at']}  {notice['detail']}")
    print(f"共 {len(found)} 条短信记录")
    return 0


def _engine(db_url: str | None) -> Any:
    from cityhall.cli import default_db_url
    from cityhall.db import make_engine, migrate

    engine = make_engine(db_url or default_db_url())
    migrate(engine)
    return engine

"""``station queue``: the cases waiting for this station's decision, most urgent first."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from station.work_queue import WorkQueue

from .context import Context, emit
from .text import pad

__all__ = ["register"]


def register(commands: argparse._SubParsersAction) -> None:
    queue = commands.add_parser("queue", help="待本站决定的案件，按法定紧急程度排序（超5日未受理、逾期、即将到期、其他）")
    queue.set_defaults(handler=cmd_queue)


def cmd_queue(ctx: Context) -> None:
    queue = ctx.service.work_queue()
    emit(ctx, queue.as_dict(), queue_text(queue))


def queue_text(queue: WorkQueue) -> str:
    from station.ledger import display_case_no
    from station.work_queue import URGENCY_LABELS

    if not queue.entries:
        return f"{queue.day}：没有等待本站决定的案件"
    villages = "；".join(f"{v.name} {v.total} 件" for v in queue.villages)
    lines = [f"{queue.day} 待本站决定 {len(queue.entries)} 件（{villages}）"]
    for entry in queue.entries:
        dates = f"承诺 {entry.deadline or '-'} 法定 {entry.legal_deadline or '-'}"
        if entry.answer_by and not entry.deemed_accepted:
            dates = f"应于 {entry.answer_by} 前受理"
        flag = f"  {entry.paused}" if entry.paused else ""
        lines.append(f"{pad(URGENCY_LABELS[entry.urgency], 12)} {display_case_no(entry.case_no)}  {pad(entry.status_label, 8)} "
                     f"{pad(entry.item_name, 20)} {pad(entry.origin_name.removesuffix('便民服务站'), 8)} "
                     f"{pad(entry.applicant_name, 8)} {dates}{flag}")
    return "\n".join(lines)

"""A case view (:class:`station.views.CaseView`) as text for the case screen."""
from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from forms.jsonvalue import JsonValue

from station.clock_lines import clock_lines
from station.views import NOTICE_STATUS_LABELS, NOTICE_STEP_LABELS, CaseView, Notice

from .i18n import kind_label, role_label, status_label, t

__all__ = ["case_summary", "case_fields", "case_materials", "case_timeline", "case_conflicts"]

_MATERIAL_MARKS = {"received": ("✔", "green"), "deferred": ("◔", "yellow"), "missing": ("✘", "red")}
_WARNING_STYLES = {"overdue": ("overdue", "bold red"), "due_soon": ("due_soon", "bold yellow")}


def case_summary(view: CaseView) -> Text:
    applicant = view.applicant
    text = Text()
    text.append(f"{view.case_no_display}  ", style="bold")
    text.append(status_label(view.status), style="bold reverse")
    text.append(f"\n{view.item_name}（{view.item} v{view.item_version}）")
    text.append(f"\n{t('name')}：{applicant.name}  {applicant.id_number}  {applicant.phone or ''}")
    text.append(f"\n{t('origin')}：{view.origin_name}  {t('handler')}：{view.handler_name}")
    text.append(f"\n{t('deadline')}：{view.deadline or view.deadline_note_zh or '—'}")
    if view.warning in _WARNING_STYLES:
        key, style = _WARNING_STYLES[view.warning]
        text.append(f"  {t(key)}", style=style)
    if view.supplement_due:
        text.append(f"  {t('supplement_due')}：{view.supplement_due}", style="yellow")
    for line in clock_lines(view.clock)[1:]:  # the promise is shown above
        text.append(f"\n{line.label}：{line.text}", style=CLOCK_STYLES[line.loudness])
    return text


CLOCK_STYLES = {"plain": "", "warn": "bold yellow", "alarm": "bold red", "loudest": "bold reverse red"}
"""How loud a legal-clock line is on screen: an overdue legal limit is the loudest."""


def case_fields(fields: Mapping[str, JsonValue], labels: Mapping[str, str]) -> Text:
    """What was filled in on the form, under the labels of the item version it was filed with."""
    text = Text(t("case_fields"), style="bold")
    # in the form's order (the labels' order), not the stored keys' order; unknown keys last
    order = {key: index for index, key in enumerate(labels)}
    for key, value in sorted(fields.items(), key=lambda pair: order.get(pair[0], len(order))):
        if value not in (None, ""):
            text.append(f"\n {labels.get(key, key)}：{value}")
    return text


def case_materials(view: CaseView) -> Text:
    text = Text(t("materials"), style="bold")
    for material in view.materials:
        mark, colour = _MATERIAL_MARKS.get(material.status, ("?", ""))
        text.append(f"\n {mark} ", style=colour)
        text.append(f"{t('material_' + material.status)} {material.name}")
    return text


def case_timeline(view: CaseView) -> Text:
    text = Text(t("timeline"), style="bold")
    names = view.material_names()
    for entry in view.timeline:
        text.append(f"\n {entry.at[:16].replace('T', ' ')} ")
        text.append(kind_label(entry.kind), style="bold red" if entry.conflict else "bold")
        role = role_label(entry.role) if entry.role else ""
        text.append(f" {entry.station_name} {entry.actor}{(' ' + role) if role else ''}", style="dim")
        detail = _entry_detail(entry.data, names)
        if detail:
            text.append(f"\n     {detail}")
        if entry.conflict:
            text.append(f"\n     ⚠ {entry.conflict}", style="red")
    _append_notices(text, view.notices)
    return text


_NOTICE_STYLES = {"queued": "yellow", "sending": "yellow", "sent": "green", "failed": "red", "skipped": "dim"}


def _append_notices(text: Text, notices: tuple[Notice, ...]) -> None:
    """The city hall's texts to the applicant, so the agent can say "you were told on …"."""
    if not notices:
        return
    text.append("\n\n短信通知", style="bold")
    for notice in notices:
        label, style = NOTICE_STATUS_LABELS.get(notice.status, notice.status), _NOTICE_STYLES.get(notice.status, "")
        text.append(f"\n {notice.at[:16].replace('T', ' ')} {NOTICE_STEP_LABELS.get(notice.step, notice.step)} ")
        text.append(label, style=style)
        if notice.status in ("failed", "skipped") and notice.detail:
            text.append(f"（{notice.detail[:40]}）", style="dim")


def _entry_detail(data: Mapping[str, JsonValue], names: dict[str, str]) -> str:
    parts = [str(data[key]) for key in ("reason", "note", "comment") if data.get(key)]
    materials = data.get("materials")
    if materials and isinstance(materials, list):
        parts.append(_materials_detail(materials, names))
    if data.get("level"):
        parts.append(f"{data['level']}★")
    return "；".join(parts)


def _materials_detail(materials: list[JsonValue], names: dict[str, str]) -> str:
    """A received event's checklist by status (已收 / 容缺 / 缺少); other events' material keys by name."""
    checklist = [m for m in materials if isinstance(m, dict)]
    if len(checklist) < len(materials):
        return "、".join(names.get(str(key), str(key)) for key in materials)
    by_status: dict[str, list[str]] = {}
    for material in checklist:
        by_status.setdefault(str(material.get("status", "missing")), []).append(str(material.get("name", "")))
    return "；".join(f"{t('material_' + status)} {'、'.join(by_status[status])}"
                    for status in ("received", "deferred", "missing") if status in by_status)


def case_conflicts(view: CaseView) -> Text | None:
    if not view.conflicts:
        return None
    text = Text(t("conflicts"), style="bold red")
    for conflict in view.conflicts:
        at = conflict.at[:16].replace("T", " ")
        text.append(f"\n ⚠ {at} {kind_label(conflict.kind)} {conflict.station}：{conflict.reason}", style="red")
    return text

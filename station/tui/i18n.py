"""The app's words in Chinese (default) and English.

``t(key, **values)`` looks a key up in the current language and falls back to Chinese,
then to the key itself, so a missing translation shows as text, never as an error. The
ledger's names of statuses, event kinds and roles are Chinese; ``status_label``,
``kind_label`` and ``role_label`` give them in the current language.
"""
from __future__ import annotations

from station.ledger import KIND_LABELS, ROLE_LABELS, STATUS_LABELS

__all__ = ["t", "set_language", "language", "LANGUAGES", "status_label", "kind_label", "role_label"]

LANGUAGES = ("zh", "en")

_ZH: dict[str, str] = {
    "app_title": "便民服务站",
    "quit": "退出",
    "back": "返回",
    "next": "下一步",
    "save": "保存",
    "print": "打印",
    "open": "打开",
    "refresh": "刷新",
    "home": "首页",
    "new_case": "新收件",
    "new_case_key": "收件",  # the home line: with ⏎ 打开 and w 待办 it has no cell to spare at 80 columns
    "cases": "案件",
    "sync": "同步",
    "switch_operator": "换人",
    "lock": "锁屏",
    "language": "English",
    "language_help": "界面语言切换为英文",
    "palette": "命令",
    # station info
    "station_info": "本站信息",
    "info_title": "本站信息（在市政务服务中心登记本站时用）",
    "info_station": "站点：{name}（{code}）",
    "info_level": "层级：{level}",
    "info_parent": "上级站点：{parent}",
    "info_key": "公钥：",
    "info_encryption_key": "加密公钥（U 盘数据包加密给本站用）：",
    "info_no_encryption_key": "尚未生成（本站数据解锁一次后生成）",
    "info_hub": "同步地址：{url}",
    "info_hub_source": "  （来自 {source}；改地址后请退出并重新打开本程序）",
    "info_public_url": "查询网址（回执二维码）：{url}",
    "info_home": "数据目录：{home}",
    "info_enrol": "在市政务服务中心登记本站的命令：",
    "none": "无",
    "choose": "（请选择）",
    "nothing_new": "这些记录本站都已有，无需再导入",
    # sign-in
    "sign_in_title": "操作员登录",
    "locked_title": "已锁屏：请重新登录",
    "operator_id": "工号",
    "pin": "密码",
    "sign_in": "登录",
    "sign_in_hint": "输入工号和密码后按回车",
    "no_operators": "本站还没有操作员：请先运行 station agent add --id 工号 --name 姓名 --role agent",
    "signed_in_as": "已登录：{name}",
    "enter_id_and_pin": "请输入工号和密码",
    # sync bar
    "online": "在线",
    "offline": "离线",
    "sync_unknown": "未联网同步",
    "connecting": "正在联系市中心",
    "waiting_events": "待上传 {n}",
    "rejected_events": "被退回 {n}",
    "last_contact": "上次联系 {at}",
    "never_contacted": "从未联系市中心",
    # today
    "today_title": "今日待办 {day}",
    "section_waiting": "在本站等待办理",
    "section_deadlines": "期限临近（≤2个工作日）或已超期",
    "section_deferred": "容缺材料即将到期或已逾期",
    "section_decisions": "办理结果已返回，待告知申请人",
    "nothing": "（无）",
    "more": "还有更多，按 c 查看全部案件",
    "loading": "正在读取…",
    "overdue": "已超期",
    "due_soon": "即将到期",
    "due_on": "期限 {day}",
    "owed_by": "补交 {day}",
    "past_legal": "超法定 {day}",
    "deemed_accepted": "视为受理",
    "both_clocks": "承诺时限 {promised} · 法定时限 {legal}",
    # intake
    "intake_title": "代为收件",
    "step_citizen": "① 申请人",
    "step_item": "② 事项",
    "step_form": "③ 表单",
    "step_materials": "④ 材料",
    "step_confirm": "⑤ 确认",
    "citizen_search": "查找",
    "citizen_search_hint": "身份证号、姓名或拼音首字母",
    "id_number": "身份证号",
    "name": "姓名",
    "phone": "手机号",
    "optional": "（选填）",
    "returning_citizen": "老申请人：已带出资料",
    "new_citizen": "新申请人：请逐项填写",
    "item_search": "事项",
    "item_search_hint": "事项名称、拼音或编码",
    "conditions": "申请条件：",
    "not_on_behalf": "不能代办",
    "required_mark": "*",
    "fix_fields": "还有 {n} 处需要修改",
    "materials_hint": "空格 切换  r 已收  d 容缺  m 缺少",
    "case_fields": "申请信息",
    "discard_draft": "这份收件还没有保存，离开后已填写的内容会丢失。确定放弃吗？",
    "confirm_keys": "y 放弃并离开　　n 继续填写",
    "yes": "是",
    "no": "否",
    "material_received": "已收",
    "material_deferred": "容缺",
    "material_missing": "缺少",
    "material_optional": "选交",
    "material_due": "{day} 前补交",
    "material_defer_days": "可容缺{days}个工作日",
    "authorised": "申请人已签署委托代办授权书",
    "must_authorise": "请先确认申请人已签署委托代办授权书",
    "confirm_summary": "申请人：{name}（{id}）\n事项：{item}\n材料：已收 {received} 项，容缺 {deferred} 项",
    "saving": "正在保存…",
    "filed": "已收件：{case_no}",
    "cannot_file": "不能收件：",
    # notice
    "notice_title": "一次性告知书",
    "notice_saved": "本机未设置打印机，告知书已存为文件：{path}（可拷走打印）",
    "notice_shown": "缺少必要材料：已出具一次性告知书，本次不收件",
    # receipt
    "receipt_title": "回执",
    "receipt_saved": "本机未设置打印机，回执已存为文件：{path}（可拷走打印）",
    # cases
    "cases_title": "案件",
    "search": "搜索",
    "search_hint": "案件号、姓名或身份证号",
    "all_statuses": "全部状态",
    "all_items": "全部事项",
    "any_due": "全部期限",
    "col_case": "案件号",
    "col_applicant": "申请人",
    "col_item": "事项",
    "col_status": "状态",
    "col_deadline": "期限",
    "shown_cases": "显示 {n} 件",
    # case
    "case_title": "案件 {case_no}",
    "status": "状态",
    "handler": "经办",
    "origin": "收件",
    "deadline": "期限",
    "supplement_due": "容缺补交",
    "timeline": "办理过程",
    "materials": "材料",
    "conflicts": "冲突",
    "actions": "可办理",
    "no_actions": "本站当前没有可办理的操作",
    "act": "办理",
    "recorded": "已记录：{label}",
    "rating": "评价等级",
    "rating_levels": "5 非常满意  4 满意  3 基本满意  2 不满意  1 非常不满意",
    "comment": "说明（选填）",
    "choose_materials": "选择材料（空格勾选）",
    "choose_at_least_one": "请至少勾选一项材料（光标移到材料上按空格）",
    "not_deferrable": "“{name}”不能容缺，需当场提交",
    "confirm_action": "确认办理“{label}”？",
    "ok": "确定",
    "cancel": "取消",
    "palette_search": "搜索命令…",
    # sync screen
    "sync_title": "同步",
    "sync_waiting": "等待上传的事件：{n}",
    "sync_rejected": "被市中心退回的事件（原因）：",
    "sync_now": "立即同步",
    "bundle_export": "导出数据包",
    "bundle_import": "导入数据包",
    "bundle_path": "数据包文件",
    "bundle_for": "送往",
    "bundle_for_up": "上级（本站未上传的记录）",
    "bundle_for_station": "下级：{name}（{code}）",
    "exported_for": "（送给下级站点 {station}）",
    "sync_unavailable": "同步组件尚未安装：数据已安全保存在本机，待同步组件就绪后会自动上传",
    "sync_done": "同步完成：{summary}",
    "sync_failed": "同步没有完成：{message}",
    "synced_summary": "上传 {pushed} 条，下载 {pulled} 条，被退回 {rejected} 条，仍待上传 {pending} 条",
    "exported_summary": "数据包已导出到 {file}：{events} 条记录，{files} 个附件，另带其他站点的数据包 {carried_bundles} 个",
    "imported_summary": "数据包已导入（来自 {station}）：{applied} 条新记录，{files} 个附件",
    "will_relay": "下次同步时代为上传",
    "relay_refused": "市中心拒收了代传的数据包 {n} 个：已移到 relay/refused 保留，不再上传",
    "working": "处理中…",
    # errors
    "error": "出错了：{message}",
    "unexpected": "意外错误（已记录）：{message}。数据未受影响，请重试或联系管理员",
    # a returning citizen typed as new, a duplicate case, the case search
    "citizen_registered": "该身份证号已登记：{name}，已自动带出",
    "registered_name_differs": "⚠ 登记姓名为“{name}”，与所填不同；保存将更改登记姓名",
    "confirm_name_change": "⚠ 该身份证号登记的姓名是“{registered}”，保存后将改为“{name}”",
    "open_case_exists": "⚠ 该申请人已有在办的{item}（案件 {cases}），请勿重复收件",
    "case_search_hint": "案件号/序号/姓名/拼音/身份证",
}

_EN: dict[str, str] = {
    "app_title": "Service station",
    "quit": "Quit", "back": "Back", "next": "Next", "save": "Save", "print": "Print", "open": "Open",
    "refresh": "Refresh", "home": "Home", "new_case": "New case", "new_case_key": "New", "cases": "Cases", "sync": "Sync",
    "switch_operator": "Switch", "lock": "Lock", "language": "中文", "language_help": "Switch the interface to Chinese",
    "palette": "Commands",
    "station_info": "Station info", "info_title": "Station info (for enrolment at the city hall)",
    "info_station": "Station: {name} ({code})", "info_level": "Level: {level}", "info_parent": "Parent: {parent}",
    "info_key": "Public key:", "info_hub": "Syncs to: {url}",
    "info_encryption_key": "Encryption key (USB bundles are sealed to it):",
    "info_no_encryption_key": "not made yet (made when the store is first unlocked)",
    "info_hub_source": "  (from {source}; quit and reopen the app after changing it)",
    "info_public_url": "Tracking address (receipt QR): {url}", "info_home": "Home: {home}",
    "info_enrol": "Enrol this station at the city hall with:", "none": "none", "choose": "(choose)",
    "nothing_new": "this station already has all of it",
    "sign_in_title": "Operator sign-in", "locked_title": "Locked: sign in again", "operator_id": "ID",
    "pin": "PIN", "sign_in": "Sign in", "sign_in_hint": "Type your ID and PIN, then Enter",
    "no_operators": "No operators yet: run station agent add --id ID --name NAME --role agent",
    "signed_in_as": "Signed in: {name}", "enter_id_and_pin": "Enter your ID and PIN",
    "online": "online", "offline": "offline", "sync_unknown": "no sync", "connecting": "connecting", "waiting_events": "{n} waiting",
    "rejected_events": "{n} rejected", "last_contact": "last contact {at}", "never_contacted": "never synced",
    "today_title": "Today {day}", "section_waiting": "Waiting at this station",
    "section_deadlines": "Deadlines within 2 working days or overdue",
    "section_deferred": "Deferred materials due soon or past due",
    "section_decisions": "Decisions back: tell the citizen", "nothing": "(none)",
    "more": "More: press c for all cases", "loading": "Loading…", "overdue": "overdue", "due_soon": "due soon",
    "due_on": "due {day}", "owed_by": "owed by {day}", "past_legal": "past legal {day}",
    "deemed_accepted": "deemed accepted", "both_clocks": "promised {promised} · legal {legal}",
    "intake_title": "File a case", "step_citizen": "1 Citizen", "step_item": "2 Item", "step_form": "3 Form",
    "step_materials": "4 Materials", "step_confirm": "5 Confirm", "citizen_search": "Find",
    "citizen_search_hint": "ID number, name or pinyin initials", "id_number": "ID number", "name": "Name",
    "phone": "Phone", "optional": "(optional)", "returning_citizen": "Returning citizen: details filled in",
    "new_citizen": "New citizen: fill in every field", "item_search": "Item",
    "item_search_hint": "Item name, pinyin or code", "conditions": "Conditions:", "not_on_behalf": "not on behalf",
    "required_mark": "*", "fix_fields": "{n} field(s) to fix",
    "materials_hint": "space cycle  r received  d deferred  m missing",
    "discard_draft": "This case is not saved yet: leaving loses what was filled in. Discard it?",
    "confirm_keys": "y discard and leave    n keep filling in", "yes": "yes", "no": "no",
    "case_fields": "Application", "material_received": "received", "material_deferred": "deferred",
    "material_missing": "missing",
    "material_optional": "optional", "material_due": "due {day}", "material_defer_days": "deferrable {days} days",
    "authorised": "The citizen signed the authorisation", "must_authorise": "Confirm the citizen's authorisation first",
    "confirm_summary": "Applicant: {name} ({id})\nItem: {item}\nMaterials: {received} received, {deferred} deferred",
    "saving": "Saving…", "filed": "Filed: {case_no}", "cannot_file": "Cannot file:",
    "notice_title": "One-time notice", "notice_saved": "No printer set up here: the notice is saved as {path} (print it elsewhere)",
    "notice_shown": "Required material missing: one-time notice issued, nothing filed",
    "receipt_title": "Receipt", "receipt_saved": "No printer set up here: the receipt is saved as {path} (print it elsewhere)",
    "cases_title": "Cases", "search": "Search", "search_hint": "Case no, name or ID number",
    "all_statuses": "All statuses", "all_items": "All items", "any_due": "Any deadline",
    "col_case": "Case", "col_applicant": "Applicant", "col_item": "Item", "col_status": "Status",
    "col_deadline": "Deadline", "shown_cases": "{n} shown",
    "case_title": "Case {case_no}", "status": "Status", "handler": "Handler", "origin": "Origin",
    "deadline": "Deadline", "supplement_due": "Owed by", "timeline": "Timeline", "materials": "Materials",
    "conflicts": "Conflicts", "actions": "Actions", "no_actions": "Nothing this station can do now",
    "act": "Act", "recorded": "Recorded: {label}", "rating": "Rating",
    "rating_levels": "5 very satisfied … 1 very dissatisfied", "comment": "Comment (optional)",
    "choose_materials": "Choose materials (space)", "confirm_action": "Record “{label}”?",
    "choose_at_least_one": "Tick at least one material (Space on it)",
    "not_deferrable": "“{name}” cannot be deferred: it must be handed in now",
    "ok": "OK", "cancel": "Cancel", "palette_search": "Search for commands…",
    "sync_title": "Sync", "sync_waiting": "Events waiting: {n}", "sync_rejected": "Rejected by the city hall (why):",
    "sync_now": "Sync now", "bundle_export": "Export bundle", "bundle_import": "Import bundle",
    "bundle_path": "Bundle file", "bundle_for": "For",
    "bundle_for_up": "Up (this station's unsent events)", "bundle_for_station": "Below: {name} ({code})",
    "exported_for": " (for station {station} below)",
    "sync_unavailable": "Sync is not installed yet: everything is saved here and will upload once it is",
    "sync_done": "Synced: {summary}", "sync_failed": "Sync did not finish: {message}", "working": "Working…",
    "synced_summary": "{pushed} sent, {pulled} received, {rejected} rejected, {pending} still waiting",
    "exported_summary": "Bundle exported to {file}: {events} events, {files} attachments, {carried_bundles} other stations' bundles",
    "imported_summary": "Bundle imported (from {station}): {applied} new events, {files} attachments",
    "relay_refused": "The city hall refused {n} carried bundles: kept in relay/refused, not sent again",
    "will_relay": "will be relayed at the next sync",
    "error": "Error: {message}",
    "unexpected": "Unexpected error (logged): {message}. No data was harmed; retry or call the admin",
    "citizen_registered": "ID number already registered: {name}, details filled in",
    "registered_name_differs": "⚠ Registered name is “{name}”; saving will change it",
    "confirm_name_change": "⚠ This ID number is registered as “{registered}”; saving changes it to “{name}”",
    "open_case_exists": "⚠ This citizen already has an open {item} case ({cases}): do not file it twice",
    "case_search_hint": "Case no, serial, name, pinyin initials or ID number",
}

_EN_STATUSES = {
    "received": "received", "submitted": "submitted", "needs_supplement": "needs supplement",
    "accepted": "accepted", "approved": "approved/done", "denied": "denied", "refused": "refused",
    "delivered": "delivered", "withdrawn": "withdrawn", "voided": "voided",
}
_EN_KINDS = {
    "received": "received", "forwarded": "forwarded", "accepted": "accepted", "refused": "refused",
    "supplement_requested": "supplement requested", "supplemented": "supplemented", "escalated": "escalated",
    "approved": "approved", "denied": "denied", "delivered": "delivered", "withdrawn": "withdrawn",
    "voided": "voided", "rated": "rated", "called_back": "called back", "noted": "note", "attached": "attachment",
    "extended": "time limit extended", "suspended": "clock paused", "resumed": "clock resumed",
}
_EN_ROLES = {"agent": "agent", "clerk": "clerk", "approver": "approver", "admin": "admin"}

_TABLES = {"zh": _ZH, "en": _EN}
_current = "zh"


def set_language(code: str) -> None:
    global _current  # noqa: PLW0603 - the one process-wide language
    _current = code if code in _TABLES else "zh"


def language() -> str:
    return _current


def t(key: str, **values: object) -> str:
    text = _TABLES[_current].get(key) or _ZH.get(key) or key
    return text.format(**values) if values else text


def status_label(status: str) -> str:
    return (_EN_STATUSES if _current == "en" else STATUS_LABELS).get(status, status)


def kind_label(kind: str) -> str:
    return (_EN_KINDS if _current == "en" else KIND_LABELS).get(kind, kind)


def role_label(role: str) -> str:
    return (_EN_ROLES if _current == "en" else ROLE_LABELS).get(role, role)

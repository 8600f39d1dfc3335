"""The heart of texts, with real processes: `cityhall serve` sending through the webhook
provider to a local server, a village and a township driven through the `station`
command, the first attempt answered 500, and the hub SIGKILLed between steps."""
from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cityhall import db
from cityhall.notify.outbox import release_stale_claims
from station.ledger import display_case_no
from tests.support.demo import TOWNSHIP, VILLAGE
from tests.support.hub import INTAKE_FIELDS, ITEM, VENV_BIN, HubProcess, free_port, json_of, run_station, topology_for

from .conftest import TEMPLATES
from .servers import Recorder, recording_server, webhook_answer

PHONE = "13912345678"


@pytest.fixture
def webhook() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder(webhook_answer, fail_first=[500])
    with recording_server(recorder) as url:
        yield recorder, url


@pytest.fixture
def hub(tmp_path: Path, webhook: tuple[Recorder, str]) -> Iterator[HubProcess]:
    port = free_port()
    config = topology_for(tmp_path, port)
    templates = "\n".join(f'{step} = "{code}"' for step, code in TEMPLATES.items())
    with config.open("a", encoding="utf-8") as handle:
        handle.write(f'\n[notify]\nprovider = "webhook"\nurl = "{webhook[1]}/sms"\nrate_per_minute = 30\n'
                     f'retry_wait_s = 0.2\n\n[notify.templates]\n{templates}\n')
    process = HubProcess(tmp_path, port, config)
    yield process
    process.stop()


def _init(tmp_path: Path, hub: HubProcess, code: str, agent: str, role: str) -> Path:
    home = tmp_path / code
    key = json_of(run_station(home, "init", "--station", code, "--config", str(hub.config), "--json"))["public_key"]
    assert run_station(home, "agent", "add", "--id", agent, "--name", "李四", "--role", role).returncode == 0
    hub.enroll(code, key)
    return home


def _run(home: Path, *args: str) -> None:
    result = run_station(home, *args)
    assert result.returncode == 0, result.stderr


def _start(hub: HubProcess) -> None:
    """Start and wait; a loaded 2-core machine running the suite in parallel needs more than 20 s."""
    hub.start(wait=False)
    hub.wait_ready(timeout=90)


def _restart(hub: HubProcess) -> None:
    """A power cut. What the killed hub had claimed goes back to the queue at once, as its lease would
    after five minutes: a kill between the provider's answer and the hub's record of it cannot be timed
    away on a loaded machine (the provider then gets that notice id again, and tells it by the id)."""
    hub.kill()
    engine = db.make_engine(hub.db_url)
    try:
        release_stale_claims(engine, time.time(), 0.0)
    finally:
        engine.dispose()
    _start(hub)


def _once_each(recorder: Recorder) -> list[dict[str, object]]:
    """The texts the provider took, each notice id once, in the order they first came."""
    with recorder.lock:
        taken = list(recorder.accepted)
    first: dict[object, dict[str, object]] = {}
    for text in taken:
        first.setdefault(text["id"], text)
    return list(first.values())


def _took(recorder: Recorder, count: int, timeout: float = 60.0) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while len(texts := _once_each(recorder)) < count:
        assert time.monotonic() < deadline, f"expected {count} texts, got {len(texts)}: {texts}"
        time.sleep(0.05)
    return texts


def _notices(hub: HubProcess, case_no: str) -> list[dict[str, object]]:
    listed = subprocess.run([str(VENV_BIN / "cityhall"), "notices", "--db", hub.db_url, "--case", case_no, "--json"],
                            capture_output=True, text=True, check=True)
    return json.loads(listed.stdout)["notices"]


def _wait_until_recorded_sent(hub: HubProcess, case_no: str, count: int, timeout: float = 60.0) -> None:
    """The provider took the text *and* the hub wrote that down. A kill between the two leaves
    the text claimed until its lease ends (and the case's later texts wait behind it, in order):
    what this test means by "after the text went out" is after both."""
    deadline = time.monotonic() + timeout
    while sum(n["status"] == "sent" for n in _notices(hub, case_no)) < count:
        assert time.monotonic() < deadline, f"the hub did not record {count} texts as sent: {_notices(hub, case_no)}"
        time.sleep(0.1)


def test_one_text_per_step_in_order_through_a_failing_provider_and_sigkills(
        tmp_path: Path, hub: HubProcess, webhook: tuple[Recorder, str]) -> None:
    recorder = webhook[0]
    village = _init(tmp_path, hub, VILLAGE, "A01", "agent")
    township = _init(tmp_path, hub, TOWNSHIP, "T01", "approver")
    _start(hub)
    fields = [arg for key, value in INTAKE_FIELDS.items() for arg in ("--field", f"{key}={value}")]
    intake = json_of(run_station(village, "intake", "--json", "--agent", "A01", "--item", ITEM, "--phone", PHONE,
                                 "--applicant-id", "11010519491231002X", "--applicant-name", "曾𠮷", *fields,
                                 "--received", "id_and_hukou", "--received", "application_form",
                                 "--deferred", "bank_card_copy"))
    case_no = intake["case_no"]
    _run(village, "act", case_no, "forwarded", "--agent", "A01")
    _run(village, "sync")
    recorder.wait_for(1)
    _wait_until_recorded_sent(hub, case_no, 1)
    _restart(hub)  # between steps, after the text went out

    _run(township, "sync")
    _run(township, "act", case_no, "accepted", "--agent", "T01")
    _run(township, "sync")
    _restart(hub)  # between steps, most likely before the sender's next round: the queue survives
    _took(recorder, 2)

    _run(township, "act", case_no, "supplement_requested", "--agent", "T01", "--material", "application_form",
         "--reason", "申请表未签字")
    _run(township, "sync")
    _restart(hub)
    _run(village, "sync")
    _run(village, "act", case_no, "supplemented", "--agent", "A01", "--material", "application_form")
    _run(village, "sync")
    _run(township, "sync")
    _run(township, "act", case_no, "approved", "--agent", "T01")
    _run(township, "sync")
    texts = _took(recorder, 4)
    time.sleep(2.5)  # two more sender rounds: nothing else may arrive
    assert _once_each(recorder) == texts and len(texts) == 4

    assert [t["template"] for t in texts] == [TEMPLATES[s] for s in ("received", "accepted", "supplement_requested",
                                                                     "decided")]
    assert len({t["id"] for t in texts}) == 4 and {t["phone"] for t in texts} == {PHONE}
    assert all(t["params"]["case_no"] == display_case_no(case_no) and t["params"]["item"] == "高龄津贴"
               and t["params"]["name"] == "曾*" for t in texts)
    assert texts[1]["params"]["deadline"] and texts[2]["params"]["materials"] == "高龄津贴申请表"
    assert texts[3]["params"]["result"] == "准予"
    page = httpx.get(texts[0]["params"]["url"])
    assert page.status_code == 200 and "不再接收短信" in page.text, "the text's link opens the page, with the opt-out"
    assert "11010519491231002X" not in json.dumps(texts) and "曾𠮷" not in json.dumps(texts, ensure_ascii=False)
    first_two = recorder.requests[:2]
    assert [r["status"] for r in first_two] == [500, 200], "the first attempt got 500 and was retried"
    assert json.loads(first_two[0]["body"])["id"] == json.loads(first_two[1]["body"])["id"]

    notices = _notices(hub, case_no)
    assert [(n["case_no"], n["step"], n["status"]) for n in notices] == [
        (case_no, step, "sent") for step in ("received", "accepted", "supplement_requested", "decided")]
    assert notices[0]["attempts"] == 2 and all(n["at"] and n["detail"] for n in notices)
    metrics = httpx.get(f"{hub.url}/metrics").text
    assert 'cityhall_notices{status="sent"} 4' in metrics

    _run(village, "sync")
    shown = json_of(run_station(village, "case", case_no, "--json"))["notices"]
    assert [(n["step"], n["status"]) for n in shown] == [
        (step, "sent") for step in ("received", "accepted", "supplement_requested", "decided")]
    assert shown[0]["phone"] == "139****5678"


def test_cityhall_notices_lists_every_bad_option_at_once(tmp_path: Path) -> None:
    result = subprocess.run([str(VENV_BIN / "cityhall"), "notices", "--db", f"sqlite:///{tmp_path / 'h.db'}",
                             "--status", "lost", "--case", "12345"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "--status" in lines[0] and "--case" in lines[1] and "Traceback" not in result.stderr

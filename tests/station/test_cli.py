"""The installed ``station`` command, run as a person or a script would run it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.demo import DEMO_TOPOLOGY_FILE, VILLAGE

from .helpers import ALLOWANCE, example_fields

STATION = shutil.which("station", path=str(Path(sys.executable).parent)) or "station"


def run(home: Path, *args: str, pin: str = "1234") -> subprocess.CompletedProcess[str]:
    env = os.environ | {"STATION_HOME": str(home), "STATION_PIN": pin}
    return subprocess.run([STATION, *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "village"
    assert run(home, "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE)).returncode == 0
    assert run(home, "agent", "add", "--id", "A01", "--name", "王小丽", "--role", "agent").returncode == 0
    return home


def intake_args(*extra: str) -> list[str]:
    fields = [arg for key, value in example_fields(ALLOWANCE).items() for arg in ("--field", f"{key}={value}")]
    return ["intake", "--agent", "A01", "--item", ALLOWANCE, "--applicant-id", "11010519491231002x",
            "--applicant-name", "曾𠮷", "--phone", "13812345678", *fields,
            "--received", "id_and_hukou", "--received", "application_form", "--deferred", "bank_card_copy", *extra]


def test_init_prints_station_level_and_key(tmp_path: Path) -> None:
    result = run(tmp_path / "h", "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE), "--json")
    payload = json.loads(result.stdout)
    assert payload["station"] == VILLAGE and payload["level"] == "village" and len(payload["public_key"]) == 43
    again = run(tmp_path / "h", "init", "--station", VILLAGE, "--config", str(DEMO_TOPOLOGY_FILE))
    assert again.returncode == 2 and "已经初始化" in again.stderr


def test_items_json_shape(home: Path) -> None:
    items = json.loads(run(home, "items", "--json").stdout)["items"]
    assert len(items) >= 12
    first = items[0]
    assert {"code", "name", "kind", "level", "promise_days", "instant", "on_behalf", "fields", "materials"} <= set(first)
    assert {"key", "label", "type", "required", "choices"} <= set(first["fields"][0])
    assert {"key", "name", "required", "deferrable"} <= set(first["materials"][0])


def test_intake_case_act_receipt_round_trip(home: Path, tmp_path: Path) -> None:
    filed = json.loads(run(home, *intake_args(), "--json").stdout)
    assert set(filed) >= {"case_no", "status", "deadline", "supplement_due", "tracking_url"}
    case_no = filed["case_no"]
    grouped = f"{case_no[:12]}-{case_no[12:20]}-{case_no[20:24]}-{case_no[24]}"
    case = json.loads(run(home, "case", grouped, "--json").stdout)
    assert case["applicant"]["id_number"] == "11010519491231002X"  # the station's own record: in full
    assert {"case_no", "status", "handler", "item", "applicant", "fields", "materials", "deadline",
            "supplement_due", "timeline", "conflicts"} <= set(case)
    assert case["timeline"][0]["kind"] == "received"
    forwarded = run(home, "act", case_no, "forwarded", "--agent", "A01", "--json")
    assert json.loads(forwarded.stdout)["status"] == "submitted"
    listed = json.loads(run(home, "cases", "--status", "submitted", "--json").stdout)["cases"]
    assert case_no in [row["case_no"] for row in listed]
    png = tmp_path / "receipt.png"
    receipt = run(home, "receipt", case_no, "--png", str(png), "--json")
    assert receipt.returncode == 0 and png.stat().st_size > 1000
    text = json.loads(receipt.stdout)["text"]
    assert "11010519491231002X" not in text and "13812345678" not in text and "▀" in text


@pytest.mark.parametrize(("args", "code", "words"), [
    (["case", "420115102203-20261102-9999-0"], 2, "校验码"),
    (["intake", "--agent", "A01", "--item", "NOPE", "--applicant-id", "1", "--applicant-name", "x"], 2, "事项"),
    (["act", "4201151022032026110299990", "approved", "--agent", "A01"], 2, "校验码"),
    (["bogus-command"], 2, "命令参数有误"),
])
def test_bad_input_exits_2_with_reasons(home: Path, args: list[str], code: int, words: str) -> None:
    result = run(home, *args)
    assert result.returncode == code, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


def test_every_problem_at_once_and_nothing_written(home: Path) -> None:
    before = json.loads(run(home, "cases", "--json").stdout)["cases"]
    bad = run(home, "intake", "--agent", "A01", "--item", ALLOWANCE, "--applicant-id", "110105194912310021",
              "--applicant-name", "张三", "--phone", "999", "--field", "age_band=70", "--field", "nonsense")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) >= 1 and "--field" in bad.stderr
    bad = run(home, "intake", "--agent", "A01", "--item", ALLOWANCE, "--applicant-id", "110105194912310021",
              "--applicant-name", "张三", "--phone", "999", "--field", "age_band=70")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) >= 5
    assert json.loads(run(home, "cases", "--json").stdout)["cases"] == before


def test_not_found_and_not_allowed_codes(home: Path) -> None:
    case_no = json.loads(run(home, *intake_args(), "--json").stdout)["case_no"]
    assert run(home, "case", "420115201210-20261102-0001-" + _check("42011520121020261102" "0001")).returncode == 3
    assert run(home, "act", case_no, "approved", "--agent", "A01").returncode == 4
    wrong_pin = run(home, "act", case_no, "noted", "--agent", "A01", "--reason", "x", pin="9999")
    assert wrong_pin.returncode == 4 and "密码不对" in wrong_pin.stderr


def _check(digits: str) -> str:
    from forms import mod11_2_check_char

    return mod11_2_check_char(digits)

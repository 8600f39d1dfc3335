"""The ``[notify]`` table: every mistake at once, credentials only from the environment."""
from __future__ import annotations

from datetime import time

import pytest

from cityhall.notify.config import NotifyConfigError, QuietHours, parse_notify_config


def test_absent_table_or_provider_means_no_texts() -> None:
    assert parse_notify_config(None, {}) is None
    assert parse_notify_config({"url": "http://x"}, {}) is None


def test_a_full_table_reads_into_typed_values() -> None:
    config = parse_notify_config({"provider": "aliyun", "sign_name": "武汉政务", "quiet_hours": "21:00-08:00",
                                  "rate_per_minute": 20, "templates": {"received": "SMS_1", "decided": "SMS_4"}},
                                 {"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "hush-7Q"})
    assert config is not None
    assert (config.url, config.rate_per_minute, dict(config.templates)) == (
        "https://dysmsapi.aliyuncs.com/", 20, {"received": "SMS_1", "decided": "SMS_4"})
    assert config.quiet_hours == QuietHours(time(21), time(8)) and "hush-7Q" not in repr(config)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(NotifyConfigError) as caught:
        parse_notify_config({"provider": "tencent", "quiet_hours": "9pm-8am", "rate_per_minute": 0,
                             "templates": {"recieved": "SMS_1", "decided": ""}, "colour": "red"}, {})
    problems = caught.value.problems
    assert len(problems) == 8, problems
    for words in ("colour", "quiet_hours", "rate_per_minute", "recieved", "decided", "TENCENTCLOUD_SECRET_ID",
                  "sign_name", "app_id"):
        assert any(words in p for p in problems), words


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    night = QuietHours(time(21), time(8))
    assert night.contains(time(23, 59)) and night.contains(time(7, 59)) and not night.contains(time(8))
    lunch = QuietHours(time(12), time(13, 30))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13, 30))


def test_serve_refuses_a_wrong_table_with_every_problem_and_no_traceback(tmp_path, capsys, monkeypatch) -> None:  # noqa: ANN001
    from cityhall.cli import main
    from tests.support.demo import DEMO_TOPOLOGY_FILE

    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "stations.toml"
    config.write_text(DEMO_TOPOLOGY_FILE.read_text(encoding="utf-8")
                      + '\n[notify]\nprovider = "aliyun"\nquiet_hours = "late"\n', encoding="utf-8")
    code = main(["serve", "--db", f"sqlite:///{tmp_path / 'hub.db'}", "--config", str(config), "--port", "0"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 4 and "Traceback" not in "".join(lines)
    assert "quiet_hours" in lines[1] and "ALIBABA_CLOUD_ACCESS_KEY_ID" in lines[2] and "sign_name" in lines[3]

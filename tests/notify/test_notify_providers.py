"""Alibaba Cloud and Tencent Cloud SMS against local stand-ins that check signatures as documented."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from cityhall.notify import parse_notify_config
from cityhall.notify.outbox import ClaimedNotice
from cityhall.notify.providers import SendRefused, SendRetryable, make_provider

from .servers import ALIYUN_KEY, TENCENT_KEY, Recorder, aliyun_check, recording_server, tencent_check

NOTICE = ClaimedNotice(id="01JDNOTICE0000000000000000", case_no="4201151022032026110200075", step="decided",
                       phone="13800138000", template="SMS_465300123",
                       params={"case_no": "420115102203-20261102-0007-5", "item": "高龄津贴", "name": "曾*",
                               "result": "准予", "place": "光星村便民服务站 (三组) *~"})
ALIYUN_ENV = {"ALIBABA_CLOUD_ACCESS_KEY_ID": ALIYUN_KEY[0], "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ALIYUN_KEY[1]}
TENCENT_ENV = {"TENCENTCLOUD_SECRET_ID": TENCENT_KEY[0], "TENCENTCLOUD_SECRET_KEY": TENCENT_KEY[1]}


@pytest.fixture
def aliyun() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder(aliyun_check)
    with recording_server(recorder) as url:
        yield recorder, url


@pytest.fixture
def tencent() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder(tencent_check)
    with recording_server(recorder) as url:
        yield recorder, url


def _provider(table: dict[str, object], env: dict[str, str]):  # noqa: ANN202
    config = parse_notify_config(table, env)
    assert config is not None
    return make_provider(config)


def test_aliyun_sendsms_passes_the_documented_signature_check(aliyun: tuple[Recorder, str]) -> None:
    recorder, url = aliyun
    provider = _provider({"provider": "aliyun", "url": f"{url}/", "sign_name": "武汉政务"}, ALIYUN_ENV)
    assert provider.send(NOTICE) == "BizId 900619746936498440^0"
    assert provider.send(NOTICE).startswith("BizId"), "a fresh nonce each time"
    sent = recorder.accepted[0]
    assert sent == {"PhoneNumbers": "13800138000", "SignName": "武汉政务", "TemplateCode": "SMS_465300123",
                    "OutId": NOTICE.id, "TemplateParam": NOTICE.params}


def test_aliyun_with_a_wrong_secret_is_refused_with_the_services_answer(aliyun: tuple[Recorder, str]) -> None:
    provider = _provider({"provider": "aliyun", "url": aliyun[1], "sign_name": "武汉政务"},
                         ALIYUN_ENV | {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "not-the-secret"})
    with pytest.raises(SendRefused, match="SignatureDoesNotMatch"):
        provider.send(NOTICE)
    assert aliyun[0].accepted == []


def test_tencent_sendsms_passes_the_documented_tc3_check(tencent: tuple[Recorder, str]) -> None:
    recorder, url = tencent
    provider = _provider({"provider": "tencent", "url": url, "sign_name": "武汉政务", "app_id": "1400006666"},
                         TENCENT_ENV)
    assert provider.send(NOTICE) == "SerialNo 5000:1045710669157053657849499619"
    sent = recorder.accepted[0]
    assert sent["PhoneNumberSet"] == ["+8613800138000"] and sent["SmsSdkAppId"] == "1400006666"
    assert (sent["SignName"], sent["TemplateId"], sent["SessionContext"]) == ("武汉政务", "SMS_465300123", NOTICE.id)
    assert sent["TemplateParamSet"] == ["420115102203-20261102-0007-5", "高龄津贴", "曾*", "准予",
                                        "光星村便民服务站 (三组) *~"], "positional, in the documented order"
    headers = recorder.requests[0]["headers"]
    assert headers["x-tc-region"] == "ap-guangzhou" and headers["authorization"].startswith("TC3-HMAC-SHA256 ")


def test_tencent_with_a_wrong_key_is_refused_and_throttling_is_retried(tencent: tuple[Recorder, str]) -> None:
    recorder, url = tencent
    table = {"provider": "tencent", "url": url, "sign_name": "武汉政务", "app_id": "1400006666"}
    with pytest.raises(SendRefused, match="AuthFailure.SignatureFailure"):
        _provider(table, TENCENT_ENV | {"TENCENTCLOUD_SECRET_KEY": "wrong"}).send(NOTICE)
    recorder.answer = lambda *_: (200, {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "slow down"}}})
    with pytest.raises(SendRetryable, match="RequestLimitExceeded"):
        _provider(table, TENCENT_ENV).send(NOTICE)
    assert recorder.accepted == []

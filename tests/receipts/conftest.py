from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from station.receipts import NoCJKFont, ReceiptData, find_cjk_font, tracking_url

CASE_NO = "4201151022032026112200075"
TOKEN = "K7QX2MZB4TNR6WDA"
PUBLIC_URL = "https://track.wuhan.example.gov.cn/"


@pytest.fixture()
def url() -> str:
    return tracking_url(PUBLIC_URL, CASE_NO, TOKEN)


@pytest.fixture()
def receipt(url: str) -> ReceiptData:
    return ReceiptData(
        case_no=CASE_NO,
        case_no_display="420115102203-20261122-0007-5",
        item_name="残疾人两项补贴（困难残疾人生活补贴和重度残疾人护理补贴）给付申请",
        applicant_masked="𠮷*",
        id_masked="4201**********123X",
        phone_masked="138****5678",
        agent_name="王𬱖",
        station_name="江夏区纸坊街道熊湾村便民服务站",
        received_at="2026-11-22 10:31",
        materials_received=("居民身份证（原件核验，复印件一份）", "户口簿", "残疾人证"),
        materials_owed=(("最低生活保障证明或特困人员救助供养证明材料𠮷", "2026-11-29"),
                        ("银行卡复印件", None)),
        deadline="2026-12-11",
        deadline_note=None,
        tracking_url=url,
        cityhall_name="武汉市政务服务中心",
    )


@pytest.fixture()
def unknown_deadline(receipt: ReceiptData) -> ReceiptData:
    return replace(receipt, deadline=None, deadline_note="期限未知：尚无 2027 年工作日历")


@pytest.fixture(scope="session")
def cjk_font() -> Path:
    try:
        return find_cjk_font()
    except NoCJKFont as exc:
        pytest.skip(str(exc))

from __future__ import annotations

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

from station.receipts import new_token, qr_matrix, tracking_url
from station.receipts.png import qr_image


def decode(matrix, module_px: int = 4) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(qr_image(matrix, module_px))


def test_upper_case_url_uses_alphanumeric_mode(url: str) -> None:
    matrix = qr_matrix(url)
    assert matrix.mode == "alphanumeric" and matrix.error_correction == "M"
    # 79 characters: version 4-M holds 90 alphanumeric but only 62 bytes, so the
    # decoder's reading of version 4 proves the mode independently of our label.
    assert len(url) == 79 and matrix.version == 4
    [barcode] = decode(matrix)
    assert barcode.text == url
    assert barcode.extra["Version"] == "4" and barcode.ec_level == "M"


def test_border_is_the_quiet_zone(url: str) -> None:
    for border in (0, 2, 4):
        matrix = qr_matrix(url, border=border)
        assert matrix.size == 4 * matrix.version + 17 + 2 * border
        assert not any(matrix.modules[0]) if border else any(matrix.modules[0])
        assert all(len(row) == matrix.size for row in matrix.modules)


def test_level_l_only_when_m_does_not_fit() -> None:
    # Version 3 holds 61 alphanumeric characters at M, 77 at L.
    assert (qr_matrix("A" * 61, max_version=3).error_correction) == "M"
    matrix = qr_matrix("A" * 70, max_version=3)
    assert (matrix.error_correction, matrix.version) == ("L", 3)
    with pytest.raises(ValueError, match="shorten public_url"):
        qr_matrix("A" * 200, max_version=3)


def test_other_data_falls_back_to_byte_mode() -> None:
    data = "https://x.cn/t?q=一"
    matrix = qr_matrix(data)
    assert matrix.mode == "byte"
    assert decode(matrix)[0].text == data


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["https://a.cn", "http://192.168.1.20:8000", "https://zwfw.hb.gov.cn/x"]),
       st.from_regex(r"\A[0-9]{24}[0-9X]\Z"))
def test_any_tracking_url_decodes_exactly(public_url: str, case_no: str) -> None:
    url = tracking_url(public_url, case_no, new_token())
    assert qr_matrix(url).mode == "alphanumeric"
    assert [b.text for b in decode(qr_matrix(url))] == [url]

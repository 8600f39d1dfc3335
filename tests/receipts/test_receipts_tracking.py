from __future__ import annotations

import base64
import hashlib
import re
import secrets

import pytest

from station.receipts import new_token, token_hash, tracking_url
from station.receipts.tokens import QR_ALPHANUMERIC, TOKEN_ALPHABET

CASE_NO = "4201151022032026112200075"


def test_token_shape() -> None:
    token = new_token()
    assert len(token) == 16
    assert re.fullmatch("[A-Z2-7]{16}", token)
    assert len(base64.b32decode(token)) * 8 >= 80


def test_token_draws_80_bits_from_secrets(monkeypatch) -> None:
    asked = []

    def token_bytes(n: int) -> bytes:
        asked.append(n)
        return bytes(range(n))

    monkeypatch.setattr(secrets, "token_bytes", token_bytes)
    assert new_token() == base64.b32encode(bytes(range(10))).decode()
    assert asked == [10]


def test_every_position_carries_five_bits() -> None:
    tokens = [new_token() for _ in range(3000)]
    assert len(set(tokens)) == len(tokens)
    for position in range(16):
        assert {t[position] for t in tokens} == set(TOKEN_ALPHABET)


def test_token_hash_is_case_insensitive() -> None:
    expected = hashlib.sha256(b"K7QX2MZB4TNR6WDA").hexdigest()
    assert token_hash("k7qx2mzb4tnr6wda") == token_hash("K7QX2MZB4TNR6WDA") == expected


@pytest.mark.parametrize("public_url", ["https://track.example.gov.cn",
                                        "https://track.example.gov.cn/",
                                        "HTTPS://TRACK.EXAMPLE.GOV.CN//"])
def test_tracking_url_shape(public_url: str) -> None:
    url = tracking_url(public_url, CASE_NO, "k7qx2mzb4tnr6wda")
    assert url == f"HTTPS://TRACK.EXAMPLE.GOV.CN/T/{CASE_NO}/K7QX2MZB4TNR6WDA"
    assert url == url.upper() and set(url) <= QR_ALPHANUMERIC


def test_tracking_url_accepts_a_grouped_case_number() -> None:
    url = tracking_url("http://10.0.0.5:8080", "420115102203-20261122-0007-5", new_token())
    assert f"/T/{CASE_NO}/" in url and url.startswith("HTTP://10.0.0.5:8080/T/")


@pytest.mark.parametrize(
    ("public_url", "case_no", "token", "problem"),
    [
        ("", CASE_NO, "K7QX2MZB4TNR6WDA", "public_url is empty"),
        ("https://x.cn", "42011510220320261122", "K7QX2MZB4TNR6WDA", "case number"),
        ("https://x.cn", CASE_NO, "K7QX2MZB4TNR6WD", "16 base32"),
        ("https://x.cn", CASE_NO, "K7QX2MZB4TNR6WD1", "16 base32"),  # 1 is not base32
        ("https://x.cn/track?id=", CASE_NO, "K7QX2MZB4TNR6WDA", "alphanumeric mode"),
    ],
)
def test_tracking_url_refuses_bad_parts(public_url, case_no, token, problem) -> None:
    with pytest.raises(ValueError, match=problem):
        tracking_url(public_url, case_no, token)

"""The data key's HKDF, done with the standard library, gives the bytes cryptography's HKDF gives."""
from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from station.datakey import _hkdf


@given(st.binary(min_size=1, max_size=64), st.binary(max_size=80), st.one_of(st.none(), st.binary(max_size=100)))
def test_hkdf_matches_the_library(secret: bytes, info: bytes, salt: bytes | None) -> None:
    assert _hkdf(secret, info, salt) == HKDF(hashes.SHA256(), 32, salt=salt, info=info).derive(secret)


def test_the_unlock_takes_the_library_s_own_aes_gcm() -> None:
    """The operator wraps are opened with the AES-GCM class the public module exports (taken from
    the compiled core so that the rest of the ciphers package need not load)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from station.datakey import _aes_gcm

    assert _aes_gcm() is AESGCM

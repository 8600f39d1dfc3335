"""The official documents' kinds and titles: no drawing code, so ``station``'s argument parser can name them cheaply."""
from __future__ import annotations

__all__ = ["DOCUMENT_TITLES", "DOCUMENT_KINDS"]

DOCUMENT_TITLES = {
    "receipt": "便民服务收件回执",
    "acceptance": "受理通知书",
    "refusal": "不予受理通知书",
    "notice": "一次性告知书",
    "promise": "容缺受理承诺书",
}
DOCUMENT_KINDS = tuple(DOCUMENT_TITLES)

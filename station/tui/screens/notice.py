"""The one-time notice (一次性告知书), shown instead of filing."""
from __future__ import annotations

from ..i18n import t
from .document import DocumentScreen

__all__ = ["NoticeScreen"]


class NoticeScreen(DocumentScreen):
    SAVED_KEY = "notice_saved"
    NO_WRAP = False

    def __init__(self, text: str, name: str, *, message: str = "") -> None:
        super().__init__(t("notice_title"), text, name, message=message)

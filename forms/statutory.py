"""What the law fixes for every item, apart from the item schema (the ledger's rules read it without it)."""

from __future__ import annotations

__all__ = ["STATUTORY_PAUSES"]

STATUTORY_PAUSES = ("听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审", "公示")
"""Steps whose days are not counted in the time limit (Administrative Licensing Law Art. 45;
公示 for the public notice that 低保 and similar benefits require)."""

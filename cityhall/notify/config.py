"""The ``[notify]`` table of ``stations.toml``, read by the hub (DESIGN §7, second round).

Every problem in the table is reported at once; credentials come from the environment
so that the stations file, which every station carries, never holds a secret.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

__all__ = ["STEPS", "PROVIDERS", "NotifyConfig", "NotifyConfigError", "QuietHours", "Credentials",
           "load_notify_config", "parse_notify_config"]

STEPS = ("received", "supplement_requested", "accepted", "decided", "deferred_due", "voided", "rate_invite",
         "extended", "suspended", "resumed")
PROVIDERS = ("webhook", "aliyun", "tencent")
DEFAULT_ENDPOINTS = {"aliyun": "https://dysmsapi.aliyuncs.com/", "tencent": "https://sms.tencentcloudapi.com/"}
CREDENTIAL_ENV = {
    "webhook": (),
    "aliyun": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    "tencent": ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
}
"""The names the providers' own SDKs read, so one set of variables serves both."""
WEBHOOK_TOKEN_ENV = "CITYHALL_NOTIFY_WEBHOOK_TOKEN"
_KNOWN_KEYS = {"provider", "url", "sign_name", "quiet_hours", "rate_per_minute", "templates", "app_id",
               "region", "retries", "retry_wait_s", "scan_every_s"}
_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class NotifyConfigError(ValueError):
    """The ``[notify]`` table is wrong; ``problems`` lists every mistake."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("[notify] 配置有误：\n" + "\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class QuietHours:
    """No texts between ``start`` and ``end`` (China time); the span may cross midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Credentials:
    key_id: str = ""
    """Alibaba Cloud AccessKey ID or Tencent Cloud SecretId."""
    secret: str = field(default="", repr=False)
    """Alibaba Cloud AccessKey secret, Tencent Cloud SecretKey, or the webhook's bearer token."""


@dataclass(frozen=True)
class NotifyConfig:
    provider: str
    """``webhook``, ``aliyun`` or ``tencent``."""
    url: str
    """Where texts are handed over: the webhook, or the provider's API endpoint (tests point it at loopback)."""
    sign_name: str = ""
    """The registered SMS signature (签名), e.g. ``武汉政务``."""
    templates: Mapping[str, str] = field(default_factory=dict)
    """Step → the provider's pre-approved template code; a step without one is skipped."""
    quiet_hours: QuietHours | None = None
    """No texts in this span (China time); what falls due waits for its end."""
    rate_per_minute: int = 60
    """At most this many texts handed to the provider in any 60 seconds."""
    app_id: str = ""
    """Tencent Cloud's SmsSdkAppId."""
    region: str = ""
    """Tencent Cloud's region (``ap-guangzhou``) or Alibaba Cloud's (``cn-hangzhou``)."""
    retries: int = 5
    """Attempts per text on network errors, 5xx and 429 before it is marked failed."""
    retry_wait_s: float = 2.0
    """First back-off wait; it doubles each attempt, with jitter, up to 60 s."""
    scan_every_s: float = 60.0
    """How often the time-based steps (deferred_due, rate_invite) are looked for."""
    credentials: Credentials = field(default_factory=Credentials)


def load_notify_config(path: Path, environ: Mapping[str, str]) -> NotifyConfig | None:
    """The ``[notify]`` table of ``path``; None when it is absent or names no provider.

    ``environ``: the credential variables (``HubEnvironment.notify_credentials``).
    """
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return parse_notify_config(raw.get("notify"), environ)


def parse_notify_config(table: Any, environ: Mapping[str, str]) -> NotifyConfig | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        raise NotifyConfigError(["[notify] 应为一个表"])
    provider = table.get("provider")
    if provider is None:
        return None
    problems: list[str] = [f"未知的键“{key}”，可用：{'、'.join(sorted(_KNOWN_KEYS))}" for key in table
                           if key not in _KNOWN_KEYS]
    if provider not in PROVIDERS:
        problems.append(f"provider “{provider}”不支持，可选：{'、'.join(PROVIDERS)}")
    url = _url(table, str(provider), problems)
    templates = _templates(table.get("templates", {}), problems)
    quiet = _quiet_hours(table.get("quiet_hours"), problems)
    numbers = {key: _number(table, key, default, problems) for key, default in
               (("rate_per_minute", 60), ("retries", 5), ("retry_wait_s", 2.0), ("scan_every_s", 60.0))}
    credentials = _credentials(str(provider), environ, problems)
    for key in ("sign_name", "app_id", "region"):
        if not isinstance(table.get(key, ""), str):
            problems.append(f"{key} 应为字符串")
    if provider in ("aliyun", "tencent") and not table.get("sign_name"):
        problems.append(f"{provider} 需要已备案的短信签名 sign_name")
    if provider == "tencent" and not table.get("app_id"):
        problems.append("tencent 需要短信应用的 SdkAppId：app_id")
    if problems:
        raise NotifyConfigError(problems)
    return NotifyConfig(
        provider=str(provider), url=url, sign_name=str(table.get("sign_name", "")), templates=templates,
        quiet_hours=quiet, rate_per_minute=int(numbers["rate_per_minute"]), app_id=str(table.get("app_id", "")),
        region=str(table.get("region", "")), retries=int(numbers["retries"]),
        retry_wait_s=float(numbers["retry_wait_s"]), scan_every_s=float(numbers["scan_every_s"]),
        credentials=credentials)


def _url(table: dict[str, Any], provider: str, problems: list[str]) -> str:
    url = table.get("url") or DEFAULT_ENDPOINTS.get(provider, "")
    if not url:
        problems.append("webhook 需要 url（接收短信请求的地址）")
    elif not isinstance(url, str) or not url.startswith(("http://", "https://")):
        problems.append(f"url “{url}”应以 http:// 或 https:// 开头")
    return str(url)


def _templates(raw: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append("[notify.templates] 应为一个表：步骤 = \"模板编号\"")
        return {}
    unknown = [key for key in raw if key not in STEPS]
    if unknown:
        problems.append(f"[notify.templates] 未知的步骤：{'、'.join(unknown)}，可选：{'、'.join(STEPS)}")
    bad = [key for key, value in raw.items() if key in STEPS and not (isinstance(value, str) and value.strip())]
    if bad:
        problems.append(f"[notify.templates] 模板编号应为非空字符串：{'、'.join(bad)}")
    return {key: value.strip() for key, value in raw.items() if key in STEPS and key not in bad}


def _quiet_hours(raw: Any, problems: list[str]) -> QuietHours | None:
    if raw is None or raw == "":
        return None
    match = _QUIET.match(str(raw)) if isinstance(raw, str) else None
    if not match:
        problems.append(f"quiet_hours “{raw}”应写成 \"21:00-08:00\"")
        return None
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if (h1, m1) == (h2, m2):
        problems.append("quiet_hours 的开始和结束不能相同")
        return None
    return QuietHours(time(h1, m1), time(h2, m2))


def _number(table: dict[str, Any], key: str, default: float, problems: list[str]) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 \
            or (isinstance(default, int) and not isinstance(value, int)):
        kind = "正整数" if isinstance(default, int) else "正数"
        problems.append(f"{key} 应为{kind}，现为“{value}”")
        return default
    return value


def _credentials(provider: str, environ: Mapping[str, str], problems: list[str]) -> Credentials:
    names = CREDENTIAL_ENV.get(provider, ())
    if not names:
        return Credentials(secret=environ.get(WEBHOOK_TOKEN_ENV, ""))
    missing = [name for name in names if not environ.get(name)]
    if missing:
        problems.append(f"{provider} 的密钥应由环境变量提供，缺少：{'、'.join(missing)}")
    return Credentials(environ.get(names[0], ""), environ.get(names[1], ""))

"""Every environment variable the city hall reads, read in one place into one typed value.

Nothing else in ``cityhall/`` looks at ``os.environ``; ``HubEnvironment.read()`` checks
every variable at once and names each bad one (README, "Running a city hall", lists them
with an example). ``CITYHALL_PASSWORD`` is not here: it is the input of one command
(``cityhall staff add``), not a setting of the running hub.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .filestore import S3Config

__all__ = ["HubSettings", "HubEnvironment", "S3Config", "DB_ENV", "TOPOLOGY_ENV", "METRICS_TOKEN_ENV", "FILES_DIR_ENV",
           "FILES_STAGING_ENV", "S3_ENDPOINT_ENV", "S3_BUCKET_ENV", "S3_PREFIX_ENV", "STALE_UPLOAD_ENV",
           "NOTIFY_CREDENTIAL_ENVS", "DEFAULT_DB_URL", "STALE_UPLOAD_S"]

DB_ENV = "CITYHALL_DB"
TOPOLOGY_ENV = "STATION_CONFIG"
METRICS_TOKEN_ENV = "CITYHALL_METRICS_TOKEN"
FILES_DIR_ENV = "CITYHALL_FILES_DIR"
FILES_STAGING_ENV = "CITYHALL_FILES_STAGING"
S3_ENDPOINT_ENV = "CITYHALL_S3_ENDPOINT"
S3_BUCKET_ENV = "CITYHALL_S3_BUCKET"
S3_PREFIX_ENV = "CITYHALL_S3_PREFIX"
STALE_UPLOAD_ENV = "CITYHALL_STALE_UPLOAD_HOURS"
NOTIFY_CREDENTIAL_ENVS = ("CITYHALL_NOTIFY_WEBHOOK_TOKEN", "ALIBABA_CLOUD_ACCESS_KEY_ID",
                          "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
"""The text-message provider's credentials (``[notify]`` of ``stations.toml`` says which provider)."""

DEFAULT_DB_URL = "sqlite:///cityhall.db"
STALE_UPLOAD_S = 48 * 3600.0
"""An upload idle this long is abandoned: its partial file is removed."""


@dataclass(frozen=True)
class HubEnvironment:
    db_url: str = DEFAULT_DB_URL
    """``CITYHALL_DB``: where ``--db`` is not given."""
    topology_file: Path = Path("stations.toml")
    """``STATION_CONFIG``: where ``--config`` is not given."""
    metrics_token: str | None = None
    """``CITYHALL_METRICS_TOKEN``: ``/metrics`` wants it as a bearer token; unset, loopback clients only."""
    files_dir: Path | None = None
    """``CITYHALL_FILES_DIR``: attachment files on this disk (default beside a SQLite database)."""
    files_staging: Path | None = None
    """``CITYHALL_FILES_STAGING``: uploads under way (default ``FILES/staging``); shared by the workers."""
    s3: S3Config | None = None
    """``CITYHALL_S3_ENDPOINT`` and ``CITYHALL_S3_BUCKET`` (and ``CITYHALL_S3_PREFIX``): files in S3 instead."""
    stale_upload_s: float = STALE_UPLOAD_S
    """``CITYHALL_STALE_UPLOAD_HOURS`` (at least 1, default 48), in seconds."""
    notify_credentials: Mapping[str, str] = field(default_factory=dict)
    """Those of :data:`NOTIFY_CREDENTIAL_ENVS` that are set."""

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> HubEnvironment:
        """The settings from ``environ`` (the process's environment by default); a bad value raises ValueError."""
        env = os.environ if environ is None else environ
        endpoint, bucket = env.get(S3_ENDPOINT_ENV), env.get(S3_BUCKET_ENV)
        return cls(
            db_url=env.get(DB_ENV) or DEFAULT_DB_URL,
            topology_file=Path(env.get(TOPOLOGY_ENV) or "stations.toml"),
            metrics_token=env.get(METRICS_TOKEN_ENV) or None,
            files_dir=_path(env.get(FILES_DIR_ENV)),
            files_staging=_path(env.get(FILES_STAGING_ENV)),
            s3=S3Config(endpoint, bucket, env.get(S3_PREFIX_ENV, "attachments/")) if endpoint and bucket else None,
            stale_upload_s=_stale_upload_s(env.get(STALE_UPLOAD_ENV, "")),
            notify_credentials={name: env[name] for name in NOTIFY_CREDENTIAL_ENVS if env.get(name)},
        )


@dataclass(frozen=True)
class HubSettings:
    """What one running hub is told: the command line's choices over :class:`HubEnvironment`'s."""

    db_url: str
    """``sqlite:///PATH`` (default) or ``postgresql://...``."""
    topology_file: Path
    """The same ``stations.toml`` the stations carry."""
    miss_limit: int = 20
    """Tracking-page misses allowed per client address per ``miss_window_s``."""
    miss_window_s: float = 600.0
    metrics_token: str | None = None
    """``/metrics`` wants ``Authorization: Bearer`` this token; unset, ``env``'s, else loopback clients only."""
    env: HubEnvironment = field(default_factory=HubEnvironment.read)
    """The environment variables, read once."""

    @property
    def scrape_token(self) -> str | None:
        """The bearer token ``/metrics`` wants, if any."""
        return self.metrics_token or self.env.metrics_token

    @property
    def files_root(self) -> Path:
        """``CITYHALL_FILES_DIR``, else beside a SQLite database (``hub.db`` → ``hub-files/``), else ``./cityhall-files``."""
        if self.env.files_dir is not None:
            return self.env.files_dir
        if self.db_url.startswith("sqlite:///"):
            database = Path(self.db_url[len("sqlite:///"):])
            return database.with_name(database.stem + "-files")
        return Path("cityhall-files")

    @property
    def files_staging(self) -> Path:
        """``CITYHALL_FILES_STAGING``, else ``staging/`` in :attr:`files_root`."""
        return self.env.files_staging or self.files_root / "staging"


def _path(text: str | None) -> Path | None:
    return Path(text) if text else None


def _stale_upload_s(text: str) -> float:
    """A finite number of hours, at least 1, so a paused upload is not taken for abandoned."""
    text = text.strip()
    if not text:
        return STALE_UPLOAD_S
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and hours >= 1):
        raise ValueError(f"{STALE_UPLOAD_ENV} must be a number of hours of at least 1 (default 48), not {text!r}; "
                         "set it to e.g. 48 or unset it")
    return hours * 3600

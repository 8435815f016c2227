"""The configuration's typed schema (pydantic), and the plain settings objects the stages
take. Every key the config may hold is one line here: its type, its range, its default
(the same as aiwatch/default_config.toml). Unknown keys, wrong types and values out of
range are refused when the config is loaded, so a typo never reaches a running crawl."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

if TYPE_CHECKING:
    from pathlib import Path

    from aiwatch.config import Config
    from alerts.render import Display
    from nlp.process import NlpSettings

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> float:
    """Seconds in "30s", "5m", "1h", "1d" (a bare number is seconds)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 1h, 1d)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Tokyo)") from None
    return name


Duration = Annotated[float, BeforeValidator(parse_duration)]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]
TimeZone = Annotated[str, AfterValidator(_time_zone)]


class Section(BaseModel):
    """TOML gives real types, so values are checked strictly: "20" is not a number."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True, frozen=True)


class StoreSettings(Section):
    url: str = "sqlite:///aiwatch.db"


class CrawlerSettings(Section):
    sources_file: str = "sources.toml"
    user_agent: str = "aiwatch/0.1 (+https://github.com/aiwatch/aiwatch; news monitoring)"
    obey_robots: bool = True
    timeout: Positive = 20
    max_page_bytes: Annotated[int, Field(gt=0)] = 5_000_000
    concurrent_per_domain: Annotated[int, Field(ge=1)] = 2
    download_delay: NonNegative = 1.0
    autothrottle: bool = True
    retries: Count = 2
    extract_workers: Count = 1


class NlpConfig(Section):
    embedding_model: str = "use-multilingual"
    gazetteer: str = ""
    story_threshold: Annotated[float, Field(ge=0, le=1)] = 0.5
    story_window_days: Positive = 4


class ScheduleSettings(Section):
    process_every: Duration = "1m"  # text such as "1m", validated into seconds
    dispatch_every: Duration = "30s"
    topics_every: Duration = "6h"
    housekeeping_every: Duration = "1d"
    concurrent_crawls: Annotated[int, Field(ge=1)] = 4


class AlertSettings(Section):
    lease_seconds: Positive = 120
    backoff_seconds: NonNegative = 30
    max_attempts: Annotated[int, Field(ge=1)] = 6


class SmtpSettings(Section):
    host: str = "localhost"
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    security: Literal["none", "starttls", "tls"] = "none"
    username: str = ""
    password: str = ""
    from_: str = Field("aiwatch@localhost", alias="from")


class SqlSettings(Section):
    url: str = ""
    timeout: Duration = "30s"


class DisplaySettings(Section):
    timezone: TimeZone = "Asia/Tokyo"
    base_url: str = ""


class Settings(Section):
    """The whole file. `subscriptions` are checked one by one (alerts.subscriptions), so a
    bad one is reported and skipped instead of stopping everything."""

    data_dir: str = "."
    store: StoreSettings = StoreSettings()
    crawler: CrawlerSettings = CrawlerSettings()
    nlp: NlpConfig = NlpConfig()
    schedule: ScheduleSettings = ScheduleSettings()
    alerts: AlertSettings = AlertSettings()
    smtp: SmtpSettings = SmtpSettings()
    sql: SqlSettings = SqlSettings()
    display: DisplaySettings = DisplaySettings()
    subscriptions: list[dict[str, Any]] = []


def known_keys(loc: tuple[str | int, ...]) -> list[str]:
    """The keys allowed in the table at `loc` (for "did you mean")."""
    model: type[BaseModel] = Settings
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [field.alias or name for name, field in model.model_fields.items()]


def gazetteer_path(config: Config) -> Path | None:
    configured = config.settings.nlp.gazetteer
    return config.resolve(configured) if configured else None


def nlp_settings(config: Config) -> NlpSettings:
    from nlp.process import NlpSettings
    from nlp.stories import StoryParams

    nlp = config.settings.nlp
    return NlpSettings(
        gazetteer_path=gazetteer_path(config),
        embedding_model=nlp.embedding_model,
        stories=StoryParams(threshold=nlp.story_threshold, window_days=nlp.story_window_days),
    )


def display(config: Config) -> Display:
    """The [display] settings: the time zone people read times in, the story link base."""
    from alerts.render import Display

    shown = config.settings.display
    return Display(ZoneInfo(shown.timezone), shown.base_url)

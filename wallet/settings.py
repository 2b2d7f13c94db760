"""User settings of the front ends (theme, key remaps), kept in `settings.toml` in the config dir.

Headless: the TUI reads and writes these through `load_settings`/`save_settings`; nothing here imports
Textual. A missing or unreadable file gives the defaults (a broken settings file must never stop the
wallet from opening); writes are atomic.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wallet.paths import atomic_write, config_dir

THEMES = ("polis-dark", "polis-light", "polis-high-contrast")


class TuiSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    theme: str = "polis-dark"
    """Name of the Textual theme: polis-dark, polis-light, polis-high-contrast (or any built-in one)."""
    keys: dict[str, str] = Field(default_factory=dict)
    """Binding id -> key(s), e.g. {"inbox.search" = "ctrl+f", "app.sync" = "f5"}; see `?` in the TUI."""
    page_size: int = Field(default=100, ge=20, le=1000)
    """Rows the inbox loads per page (more pages load as the cursor nears the end)."""
    closing_soon_hours: int = Field(default=72, ge=1)
    """The "closing soon" filter keeps open proposals ending within this many hours."""
    health_timeout: float = Field(default=3.0, gt=0, le=30)
    """Seconds an endpoint health check waits before calling a node unreachable."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tui: TuiSettings = Field(default_factory=TuiSettings)
    """The `[tui]` table."""


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    try:
        return Settings.model_validate(tomllib.loads(path.read_text()))
    except (OSError, tomllib.TOMLDecodeError, ValidationError):
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    import tomli_w

    path = path or settings_path()
    atomic_write(path, tomli_w.dumps(settings.model_dump(mode="json")).encode(), mode=0o644)


def remember_theme(theme: str, path: Path | None = None) -> None:
    """Store the chosen theme, keeping every other setting as it is in the file."""
    s = load_settings(path)
    if s.tui.theme != theme:
        s.tui.theme = theme
        save_settings(s, path)

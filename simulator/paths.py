"""Where Sparring keeps things. ``SPARRING_HOME`` relocates all user data (tests point it at a tmp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "sparring"


def home() -> Path | None:
    value = os.environ.get("SPARRING_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    root = home()
    return root / "data" if root else Path(platformdirs.user_data_dir(APP))


def config_dir() -> Path:
    root = home()
    return root / "config" if root else Path(platformdirs.user_config_dir(APP))


def config_file() -> Path:
    return config_dir() / "config.toml"


def shipped_catalog() -> Path:
    """The personas/ and scenarios/ shipped with Sparring: inside the wheel, or at the checkout's root."""
    package = Path(__file__).resolve().parent
    bundled = package / "_data"
    return bundled if bundled.is_dir() else package.parent

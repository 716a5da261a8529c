"""The stages by name, in pipeline order."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from agents.stage import Stage
from pipeline.config import Settings
from pipeline.errors import ConfigError

STAGE_NAMES = ("normalize", "entities", "classify")


def check_stage_name(name: str) -> None:
    """A ConfigError for a name that is not one of the stages."""
    if name not in STAGE_NAMES:
        raise ConfigError(f"unknown stage {name!r}; choose one of {', '.join(STAGE_NAMES)}")


def build_stage(name: str, settings: Settings) -> Stage:
    """One stage by name, importing only that stage's code; unknown names are a ConfigError."""
    check_stage_name(name)
    build: Callable[[Settings], Stage] = import_module(f"agents.{name}.agent").build
    return build(settings)


def build_stages(settings: Settings) -> list[Stage]:
    """All three stages in pipeline order."""
    return [build_stage(name, settings) for name in STAGE_NAMES]

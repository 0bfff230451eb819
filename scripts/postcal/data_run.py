"""How the jobs that read the networks and commit data files (metrics, inbox) begin: secrets
kept out of logs, a clean and current checkout, and settings that load."""

from __future__ import annotations

from pathlib import Path

from postcal.content.loader import load_settings
from postcal.content.models import Settings
from postcal.errors import PostcalError
from postcal.gitops import Git
from postcal.secrets import install_log_redaction


def begin(root: Path, git: Git | None, command: str, abort: type[PostcalError]) -> Settings:
    """The settings to run ``command`` with; ``abort`` when postcal.yml does not load."""
    install_log_redaction()
    if git is not None:
        git.require_clean(command)
        git.sync()
    settings_file, _ = load_settings(root)
    if settings_file is None:
        raise abort("postcal.yml is missing or invalid: run `postcal lint`")
    return settings_file.model


__all__ = ["begin"]

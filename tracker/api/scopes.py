"""What a personal access token may do: a module of its own, so the command line can
list the scopes without loading the models."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    READ = "read"  # GET only
    WRITE = "write"  # every method

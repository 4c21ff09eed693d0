"""The roles an account can have: a module of its own, so the command line can list
them without loading the models."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    AGENCY = "agency"
    LEADER = "leader"

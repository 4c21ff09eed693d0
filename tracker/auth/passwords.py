"""Argon2id password hashing (argon2-cffi), rehashing when parameters change."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from tracker.config import DEFAULTS

#: The shortest password accepted; the password form's label and hint say it too.
MIN_LENGTH = 10
MAX_LENGTH = 1024
#: zxcvbn's estimate (0-4) a new password must reach: 3 means "safely unguessable",
#: about 10^8 guesses; its dictionaries know names, words, dates, keyboard walks.
MIN_SCORE = 3
#: zxcvbn reads at most this many characters; a longer passphrase is judged by them.
SCORED_LENGTH = 72
#: Words of this system an attacker would try with a password.
CONTEXT_WORDS = ("lai chau", "laichau", "ubnd", "tracker", "bluezone", "matkhau", "mat khau")

#: A few passwords every attacker tries first here, besides the common lists.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "123456789a",
        "qwertyuiop",
        "password123",
        "password12",
        "matkhau123",
        "abc1234567",
        "admin12345",
        "iloveyou123",
        "1q2w3e4r5t",
        "qwerty1234",
        "123123123123",
        "aaaaaaaaaa",
        "passw0rd123",
    }
)


def hasher() -> PasswordHasher:
    """The configured hasher; defaults are argon2-cffi's RFC 9106 low-memory profile."""
    config: Mapping[str, Any] = current_app.config if has_app_context() else DEFAULTS
    return PasswordHasher(
        time_cost=int(config["ARGON2_TIME_COST"]),
        memory_cost=int(config["ARGON2_MEMORY_COST"]),
        parallelism=int(config["ARGON2_PARALLELISM"]),
    )


@cache
def blocklist() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's list (from leaked password sets) and
    our own, in lower case."""
    return frozenset(FREQUENCY_LISTS["passwords"]) | COMMON_PASSWORDS


def password_problem(password: str, username: str = "", full_name: str = "") -> str | None:
    """Why a new password is refused, in the current language (a request's reader's,
    else Vietnamese); None if it is acceptable."""
    password = normalised(password)
    if len(password) < MIN_LENGTH:
        return _("Mật khẩu phải có ít nhất %(count)s ký tự.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Mật khẩu không được dài quá %(count)s ký tự.", count=MAX_LENGTH)
    lowered = password.lower()
    if lowered in blocklist() or (username and username.lower() in lowered):
        return _("Mật khẩu quá dễ đoán; hãy chọn một cụm từ dài hơn.")
    hints = [word for word in (username, *full_name.split(), *CONTEXT_WORDS) if word]
    if zxcvbn(password[:SCORED_LENGTH], user_inputs=hints)["score"] < MIN_SCORE:
        return _(
            "Mật khẩu quá dễ đoán (dễ bị dò ra): hãy dùng một cụm vài từ không liền nghĩa,"
            " có thể kèm số, dài từ %(count)s ký tự.",
            count=MIN_LENGTH,
        )
    return None


def normalised(password: str) -> str:
    """The same passphrase whether the keyboard sends composed (NFC) or decomposed
    (NFD, Unikey's "Unicode tổ hợp") Vietnamese letters."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return hasher().hash(normalised(password))


def check_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, normalised(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)

"""Keep the English catalog in step with the marked strings.

    .venv/bin/python scripts/translations.py        # extract, merge, compile

Extracts every marked string (babel.cfg) into tracker/translations/messages.pot,
merges it into en/LC_MESSAGES/messages.po (new strings come in untranslated; strings
no longer used are dropped) and compiles messages.mo. `make translations` runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DIRECTORY = ROOT / "tracker" / "translations"
TEMPLATE = DIRECTORY / "messages.pot"


def run(*args: str) -> None:
    subprocess.run([str(BIN / "pybabel"), "-q", *args], cwd=ROOT, check=True)  # noqa: S603 (our own arguments)


def main() -> None:
    run(
        "extract",
        "-k",
        "_l",
        "-F",
        "babel.cfg",
        "-o",
        str(TEMPLATE),
        "--no-location",
        "--sort-output",
        "--omit-header",
        ".",
    )
    catalog = DIRECTORY / "en" / "LC_MESSAGES" / "messages.po"
    if catalog.exists():
        run(
            "update",
            "-i",
            str(TEMPLATE),
            "-d",
            str(DIRECTORY),
            "-l",
            "en",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        )
    else:
        run("init", "-i", str(TEMPLATE), "-d", str(DIRECTORY), "-l", "en")
    run("compile", "-d", str(DIRECTORY), "-l", "en")


if __name__ == "__main__":
    main()

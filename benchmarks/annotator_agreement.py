"""How far two readers agree on who must act, and how far the parser agrees with each.

    .venv/bin/python benchmarks/annotator_agreement.py [FOLDER ...]

Each FOLDER holds second annotations (NN.json: {"file": the document's .txt name, "tasks":
[{"number", "agencies": [{"name", "role", "inherited"}]}]}) of documents whose first
annotation is beside their text (tests/fixtures/real, tests/fixtures/holdout), made by a
reader who saw neither the first annotation nor the parser. Scored as
benchmarks/parser_accuracy.py scores agencies: the F1 of (task, name, role) per document,
averaged. The readers' agreement bounds what a parser can be measured to.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from parser_accuracy import ROOT, _agencies, f1, lenient_f1

from tracker.directives.parsing.parser import gazetteer_from_files, parse_text
from tracker.directives.parsing.source import NotADirective

DEFAULT_FOLDERS = [ROOT / "tests" / "fixtures" / "agreement"]
#: The second readings: of documents the rules were written from, and of a held-out set
#: (read while it was held out; its rules came after).
READINGS = (
    ("real 45-60", "[0-9]*.json"),
    ("held-out set 9 (now real 107-115)", "h*.json"),
    ("held-out set 10 (now real 116-125)", "t*.json"),
    ("held-out set 11 (now real 126-135)", "e*.json"),
    ("held-out set 12 (now real 136-145)", "w*.json"),
    ("held-out set 13 (now real 146-155)", "x*.json"),
    ("held-out set 15 (now real 169-188)", "v*.json"),
    ("held-out set 17 (now real 209-228)", "s*.json"),
    ("held-out set 18 (now real 229-248)", "r*.json"),
)
#: Where the documents are: those the parser's rules were written from, and the held out.
FIXTURES = [ROOT / "tests" / "fixtures" / "real", ROOT / "tests" / "fixtures" / "holdout"]


def _text(path: Path) -> str:
    """The document with its "# " source lines blanked, as parser_accuracy reads it."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(" " * len(line) if line.startswith("# ") else line for line in lines)


def measure(
    folder: Path, gazetteer, score, pattern: str
) -> tuple[list[float], list[float], list[float]]:
    """Per document `folder` reads again (its files matching `pattern`): the readers'
    agreement, and the parser's with the first and with the second."""
    readers: list[float] = []
    first_parser: list[float] = []
    second_parser: list[float] = []
    for second_path in sorted(folder.glob(pattern)):
        second = json.loads(second_path.read_text(encoding="utf-8"))
        document = next(f / second["file"] for f in FIXTURES if (f / second["file"]).exists())
        first_path = document.with_name(document.name.replace(".txt", ".expected.json"))
        first = _agencies(json.loads(first_path.read_text(encoding="utf-8"))["tasks"])
        others = _agencies(second["tasks"])
        try:
            found = _agencies(parse_text(_text(document), gazetteer).to_json()["tasks"])
        except NotADirective:  # refused: scored as finding nothing, as parser_accuracy does
            found = set()
        readers.append(score(others, first))
        first_parser.append(score(found, first))
        second_parser.append(score(found, others))
        print(
            f"  {document.name[:48]:<48} readers {100 * readers[-1]:5.1f}  parser/first "
            f"{100 * first_parser[-1]:5.1f}  parser/second {100 * second_parser[-1]:5.1f}"
        )
    return readers, first_parser, second_parser


def main() -> None:
    folders = [Path(arg) for arg in sys.argv[1:]] or DEFAULT_FOLDERS
    gazetteer = gazetteer_from_files(ROOT / "directives")
    for folder in folders:
        if not folder.is_dir():
            continue
        for label, score in (("exact names", f1), ("a name matching one it begins", lenient_f1)):
            for reading, pattern in READINGS:
                print(f"\n{folder}, {reading}, {label}:")
                readers, first_parser, second_parser = measure(folder, gazetteer, score, pattern)
                if not readers:
                    continue
                print(
                    f"  agencies F1 over {len(readers)} documents: the two readers "
                    f"{100 * statistics.mean(readers):.1f} %, the parser and the first "
                    f"{100 * statistics.mean(first_parser):.1f} %, the parser and the second "
                    f"{100 * statistics.mean(second_parser):.1f} %"
                )


if __name__ == "__main__":
    main()

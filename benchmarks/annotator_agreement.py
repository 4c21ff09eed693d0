"""How far two people agree on who must act, and how far the parser agrees with each.

    .venv/bin/python benchmarks/annotator_agreement.py [FOLDER ...]

Each FOLDER holds second annotations (NN.json: {"file": the document's .txt name, "tasks":
[{"number", "agencies": [{"name", "role", "inherited"}]}]}) of documents whose first
annotation is beside their text (tests/fixtures/real, tests/fixtures/holdout), made by a
reader who saw neither the first annotation nor the parser. Scored as
benchmarks/parser_accuracy.py scores agencies: the F1 of (task, name, role) per document,
averaged. The people's agreement is the ceiling a parser can be measured against.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from parser_accuracy import ROOT, _agencies, f1

from tracker.directives.parsing.parser import gazetteer_from_files, parse_text

DEFAULT_FOLDERS = [ROOT / "tests" / "fixtures" / "agreement"]
FIXTURES = [ROOT / "tests" / "fixtures" / "real", ROOT / "tests" / "fixtures" / "holdout"]


def _document(name: str) -> Path:
    for folder in FIXTURES:
        if (folder / name).exists():
            return folder / name
    raise SystemExit(f"{name}: no such document in {', '.join(str(f) for f in FIXTURES)}")


def _text(path: Path) -> str:
    """The document with its "# " source lines blanked, as parser_accuracy reads it."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(" " * len(line) if line.startswith("# ") else line for line in lines)


def measure(folder: Path, gazetteer) -> tuple[list[float], list[float], list[float]]:
    people, first_parser, second_parser = [], [], []
    for second_path in sorted(folder.glob("*.json")):
        second = json.loads(second_path.read_text(encoding="utf-8"))
        document = _document(second["file"])
        first_path = document.with_name(document.name.replace(".txt", ".expected.json"))
        first = _agencies(json.loads(first_path.read_text(encoding="utf-8"))["tasks"])
        others = _agencies(second["tasks"])
        found = _agencies(parse_text(_text(document), gazetteer).to_json()["tasks"])
        people.append(f1(others, first))
        first_parser.append(f1(found, first))
        second_parser.append(f1(found, others))
        print(
            f"  {document.name[:48]:<48} people {100 * people[-1]:5.1f}  parser/first "
            f"{100 * first_parser[-1]:5.1f}  parser/second {100 * second_parser[-1]:5.1f}"
        )
    return people, first_parser, second_parser


def main() -> None:
    folders = [Path(arg) for arg in sys.argv[1:]] or DEFAULT_FOLDERS
    gazetteer = gazetteer_from_files(ROOT / "directives")
    for folder in folders:
        if not folder.is_dir():
            continue
        print(f"\n{folder}")
        people, first_parser, second_parser = measure(folder, gazetteer)
        print(
            f"  agencies F1 over {len(people)} documents: the two people "
            f"{100 * statistics.mean(people):.1f} %, the parser and the first "
            f"{100 * statistics.mean(first_parser):.1f} %, the parser and the second "
            f"{100 * statistics.mean(second_parser):.1f} %"
        )


if __name__ == "__main__":
    main()

"""Directives (văn bản chỉ đạo), their tasks, citations and loading."""

from tracker import PROJECT_DIR

#: The directives shipped as data: one folder per province (agencies.toml, *.txt).
DATA_DIR = PROJECT_DIR / "directives"

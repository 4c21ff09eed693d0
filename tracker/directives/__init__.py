"""Directives (văn bản chỉ đạo), their tasks, citations and loading."""

"""Formal documents in the state format of Decree 30/2020/NĐ-CP, rendered by WeasyPrint:
the agencies' reply reports, the office's urging letters, the leaders' accountability
reports; their outgoing register."""

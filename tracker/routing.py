"""URL converters: numeric ids in a range every database holds, so a huge number in a
path answers 404 instead of overflowing the database driver."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: The largest id any table can hold (a PostgreSQL INTEGER).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to MAX_ID, else the route does not match (404)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (Werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter

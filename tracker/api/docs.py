"""The OpenAPI document and its interactive page: Swagger UI from the swagger-ui-py
package, served from here (no CDN)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from flask import abort, jsonify, render_template, send_from_directory

from tracker.api import blueprint
from tracker.api.spec import document

#: Swagger UI's own files, as the swagger-ui-py package ships them.
ASSETS = Path(str(files("swagger_ui") / "static"))
#: The files the page loads; nothing else of the package is served.
SERVED = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "LICENSE"})
#: Public: what the API offers is no secret, and a client reads it before it has a token.
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs", "api.docs_asset"})


@blueprint.route("/openapi.json")
def openapi():
    return jsonify(document())


@blueprint.route("/docs")
def docs():
    return render_template("api/docs.html")


@blueprint.route("/docs/assets/<name>")
def docs_asset(name: str):
    if name not in SERVED:
        abort(404)
    return send_from_directory(ASSETS, name, max_age=86400)

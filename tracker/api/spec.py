"""Each API operation declared once, next to its view: its parameters, body and answers
as pydantic models. The same declaration validates the request (errors as problem
details, in the reader's language) and writes the OpenAPI 3.1 document.

Pydantic writes JSON Schema 2020-12, which is OpenAPI 3.1's own dialect, and apispec
(the document builder under flask-smorest) assembles the document; views stay plain
Flask views on a plain blueprint, and errors stay ours (RFC 9457)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from apispec import APISpec
from flask import Blueprint, Response, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from tracker.api.problems import MEDIA_TYPE, Problem, field_error
from tracker.i18n import N_

TITLE = "tracker API"
VERSION = "1.0.0"
#: The problems every operation may answer, besides those it declares.
COMMON_PROBLEMS = (401, 429)


@dataclass(frozen=True)
class Reply:
    """What a view answers: a model (or None: no body), a status, headers, an ETag."""

    body: BaseModel | None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


@dataclass(frozen=True)
class Operation:
    endpoint: str
    method: str
    rule: str
    summary: str
    description: str
    tag: str
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    #: A multipart form: its text fields' model, and its file fields' names.
    form: type[BaseModel] | None
    files: tuple[str, ...]
    response: type[BaseModel] | None
    status: int
    #: Other successful statuses, answered with the same body (202: still at work).
    also: tuple[int, ...]
    problems: tuple[int, ...]
    public: bool
    etag: bool
    if_match: bool
    idempotent: bool

    @property
    def path(self) -> str:
        """The rule in OpenAPI's form: /assignments/{assignment_id}."""
        path = self.rule
        for converter in ("int:", "string:", "path:"):
            path = path.replace("<" + converter, "<")
        return path.replace("<", "{").replace(">", "}")

    @property
    def writes(self) -> bool:
        return self.method not in ("GET", "HEAD")


#: Every operation, in declaration order.
OPERATIONS: list[Operation] = []


def operation(
    blueprint: Blueprint,
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    description: str = "",
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    files: Iterable[str] = (),
    response: type[BaseModel] | None = None,
    status: int = 200,
    also: Iterable[int] = (),
    problems: Iterable[int] = (),
    public: bool = False,
    etag: bool = False,
    if_match: bool = False,
    idempotent: bool = False,
) -> Callable[[Callable[..., Reply | BaseModel | Response]], Callable[..., Response]]:
    def decorate(view: Callable[..., Reply | BaseModel | Response]) -> Callable[..., Response]:
        declared = Operation(
            endpoint=f"{blueprint.name}.{view.__name__}",
            method=method,
            rule=rule,
            summary=summary,
            description=description or inspect.cleandoc(view.__doc__ or ""),
            tag=tag,
            query=query,
            body=body,
            form=form,
            files=tuple(files),
            response=response,
            status=status,
            also=tuple(also),
            problems=tuple(problems),
            public=public,
            etag=etag,
            if_match=if_match,
            idempotent=idempotent,
        )

        @wraps(view)
        def wrapped(**kwargs: Any) -> Response:
            if query is not None:
                kwargs["query"] = _validated(query, _args())
            if body is not None:
                kwargs["body"] = _validated(body, _json_body())
            if form is not None:
                kwargs["form"] = _validated(form, request.form.to_dict())
            answer = view(**kwargs)
            if isinstance(answer, Response):  # answered already (a replayed request)
                return answer
            reply = answer if isinstance(answer, Reply) else Reply(answer, status)
            return to_response(reply)

        blueprint.add_url_rule(rule, view.__name__, wrapped, methods=[method])
        OPERATIONS.append(declared)
        return wrapped

    return decorate


def to_response(reply: Reply) -> Response:
    text = "" if reply.body is None else reply.body.model_dump_json(by_alias=True)
    status = reply.status
    if (
        reply.etag is not None
        and request.method == "GET"
        and quoted(reply.etag) in _tags(request.headers.get("If-None-Match"))
    ):
        text, status = "", 304
    answer = Response(text, status=status, mimetype="application/json" if text else None)
    for name, value in reply.headers.items():
        answer.headers[name] = value
    if reply.etag is not None:
        answer.headers["ETag"] = quoted(reply.etag)
    return answer


def quoted(tag: str) -> str:
    return f'"{tag}"'


def _tags(header: str | None) -> set[str]:
    return {part.strip() for part in (header or "").split(",") if part.strip()}


def check_if_match(current: str) -> None:
    """412 when If-Match names another version of the resource than `current`."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = _tags(header)
    if "*" not in tags and quoted(current) not in tags:
        raise Problem(
            412,
            _(
                "Dữ liệu đã thay đổi kể từ lần đọc trước (ETag hiện tại: %(tag)s). Hãy đọc"
                " lại rồi thực hiện lại.",
                tag=quoted(current),
            ),
            headers={"ETag": quoted(current)},
        )


def _args() -> dict[str, str]:
    return {name: value for name, value in request.args.items()}


def _json_body() -> Any:
    if not request.is_json:
        raise Problem(415, _("Hãy gửi nội dung dạng JSON (Content-Type: application/json)."))
    try:
        return json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise Problem(400, _("Nội dung JSON không đọc được.")) from None


#: Pydantic's error types, in the reader's language; any other: INVALID.
INVALID = N_("Giá trị không hợp lệ.")
ERROR_MESSAGES = {
    "missing": N_("Thiếu trường bắt buộc."),
    "extra_forbidden": N_("Trường này không được phép."),
    "string_type": N_("Phải là một chuỗi ký tự."),
    "string_too_short": N_("Không được để trống."),
    "string_too_long": N_("Dài quá mức cho phép."),
    "int_type": N_("Phải là một số nguyên."),
    "int_parsing": N_("Phải là một số nguyên."),
    "int_from_float": N_("Phải là một số nguyên."),
    "greater_than_equal": N_("Nhỏ hơn mức cho phép."),
    "greater_than": N_("Nhỏ hơn mức cho phép."),
    "less_than_equal": N_("Lớn hơn mức cho phép."),
    "less_than": N_("Lớn hơn mức cho phép."),
    "bool_type": N_("Phải là true hoặc false."),
    "bool_parsing": N_("Phải là true hoặc false."),
    "date_type": N_("Phải là một ngày (năm-tháng-ngày)."),
    "date_parsing": N_("Phải là một ngày (năm-tháng-ngày)."),
    "date_from_datetime_parsing": N_("Phải là một ngày (năm-tháng-ngày)."),
    "date_from_datetime_inexact": N_("Phải là một ngày (năm-tháng-ngày)."),
    "enum": N_("Không phải một giá trị được chấp nhận."),
    "literal_error": N_("Không phải một giá trị được chấp nhận."),
    "model_type": N_("Phải là một đối tượng JSON."),
    "dict_type": N_("Phải là một đối tượng JSON."),
    "list_type": N_("Phải là một danh sách."),
}


def _validated(model: type[BaseModel], data: Any) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Problem(
            422,
            _("Dữ liệu gửi lên chưa hợp lệ."),
            errors=[
                field_error(
                    "/".join(str(part) for part in item["loc"]),
                    _(ERROR_MESSAGES.get(item["type"], INVALID)),
                )
                for item in error.errors(include_url=False)
            ],
        ) from None


# The OpenAPI document ---------------------------------------------------------------------

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "detail"],
                "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
}

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted, still at work: read the resource at Location again",
    204: "No content",
    304: "Not modified",
    400: "Bad request",
    401: "No valid token",
    403: "Not permitted, or the token's scope is read",
    404: "Not found, or not yours to see",
    409: "Conflict with the resource's state",
    412: "If-Match names an older version",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input; `errors` names the fields",
    429: "Too many requests; wait Retry-After seconds",
}


def document(operations: Iterable[Operation] = OPERATIONS) -> dict[str, Any]:
    operations = list(operations)
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.1.0",
        info={
            "description": (
                "Directives, their tasks, assignments and the obligations they make,"
                " submissions with evidence, extension requests, indicators and their"
                " values, agencies and sub-units, the four-way counts, search, and"
                " directive import. Send a personal access token as `Authorization:"
                " Bearer …`; it acts with its user's permissions. Errors are"
                " `application/problem+json` (RFC 9457) in the user's language; an"
                " unknown query parameter is refused. Lists page by cursor: follow"
                " `links.next`."
            )
        },
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    models = {
        model
        for item in operations
        for model in (item.query, item.body, item.form, item.response)
        if model is not None
    }
    _, schemas = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    for name, schema in sorted(schemas.get("$defs", {}).items()):
        spec.components.schema(name, schema)
    paths: dict[str, dict[str, Any]] = {}
    for item in operations:
        paths.setdefault(item.path, {})[item.method.lower()] = _operation(item, schemas)
    for path, entries in paths.items():
        spec.path(path=path.removeprefix("/api/v1"), operations=entries)
    return spec.to_dict()


def _operation(item: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "operationId": item.endpoint.split(".")[-1],
        "summary": item.summary,
        "tags": [item.tag],
        "parameters": _path_parameters(item) + _query_parameters(item, schemas),
        "responses": _responses(item),
    }
    if item.description:
        entry["description"] = item.description
    if item.public:
        entry["security"] = []
    else:
        entry["security"] = [{"bearer": []}]
    if item.if_match:
        entry["parameters"].append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "The ETag last read; another version answers 412.",
            }
        )
    if item.idempotent:
        entry["parameters"].append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                "description": "The same key and body again get the first answer.",
            }
        )
    if item.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(item.body)}},
        }
    if item.form is not None:
        form_schema = dict(schemas["$defs"][item.form.__name__])
        properties = dict(form_schema.get("properties", {}))
        for name in item.files:
            properties[name] = {
                "type": "array",
                "items": {"type": "string", "contentMediaType": "application/octet-stream"},
            }
        entry["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": {**form_schema, "properties": properties}}
            },
        }
    return entry


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _path_parameters(item: Operation) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in item.path.split("/") if part.startswith("{")]
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        }
        for name in names
    ]


def _query_parameters(item: Operation, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if item.query is None:
        return []
    schema = schemas["$defs"][item.query.__name__]
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = _not_null(prop)
        description = prop.pop("description", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _not_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop the null branch."""
    prop = dict(prop)
    options = prop.pop("anyOf", None)
    if options:
        kept = [option for option in options if option.get("type") != "null"]
        if len(kept) == 1:
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
    if prop.get("default") is None:
        prop.pop("default", None)
    prop.pop("title", None)
    return prop


def _responses(item: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    success: dict[str, Any] = {"description": STATUS_TEXT.get(item.status, "OK")}
    if item.response is not None:
        success["content"] = {"application/json": {"schema": _ref(item.response)}}
    if item.etag:
        success["headers"] = {"ETag": {"schema": {"type": "string"}}}
    responses[str(item.status)] = success
    for other in item.also:
        responses[str(other)] = {**success, "description": STATUS_TEXT.get(other, "OK")}
    if item.etag and item.method == "GET":
        responses["304"] = {"description": STATUS_TEXT[304]}
    codes = set(item.problems) | ({400, 415, 422} if item.body is not None else set())
    if item.query is not None or item.form is not None:
        codes.add(422)
    if not item.public:
        codes |= set(COMMON_PROBLEMS)
    if item.writes and not item.public:
        codes.add(403)
    if item.if_match:
        codes.add(412)
    for code in sorted(codes):
        responses[str(code)] = {
            "description": STATUS_TEXT.get(code, "Problem"),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return responses

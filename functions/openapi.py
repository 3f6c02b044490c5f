"""OpenAPI 3 document built from the registered Chalice routes and their `@contract` models
(functions/schemas), so the description, the validation and the routes can never drift."""

from __future__ import annotations

import inspect
import re
from typing import Any

import msgspec

from functions import schemas

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Routes without a session: declared by `@contract(public=True)`, or known here when undeclared.
PUBLIC_PREFIXES = (
    "/api/auth/captcha",
    "/api/auth/login",
    "/api/auth/activate",
    "/api/auth/forgot",
    "/api/auth/sms-login/",
    "/api/auth/passkey/",
    "/api/openapi.json",
    "/api/banks/",
    "/api/certificates/verify",
    "/api/dev/",
)
REF = "#/components/schemas/{name}"
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Invalid input (the field at fault in `error.field`)",
    401: "Not signed in, or the session expired",
    403: "Refused (missing X-Requested-With, another site, or not allowed)",
    404: "Not found",
    409: "Conflicts with the current state",
    410: "Gone (revoked or expired)",
    413: "Request too large",
    423: "Locked",
    429: "Too many requests (see Retry-After)",
    503: "Temporarily unavailable (see Retry-After)",
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ref(model: type) -> dict[str, Any]:
    return {"$ref": REF.format(name=model.__name__)}


EMPTY_MEANS_ABSENT: dict[str, Any] = {"type": "string", "maxLength": 0}


def _query_parameters(model: type) -> list[dict[str, Any]]:
    """One query parameter per field of the query model, with its format and limits."""
    schema = msgspec.json.schema(model, ref_template=REF)
    properties, required = schema.get("properties", {}), set(schema.get("required", []))
    if "$ref" in schema:  # a top-level Struct is emitted as a $ref into $defs
        target = schema["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
        properties, required = target.get("properties", {}), set(target.get("required", []))
    params = []
    for name, prop in properties.items():
        prop = {k: v for k, v in prop.items() if not (k == "default" and v is None)}
        variants = [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
        if name not in required:
            # `?name=` (an empty value, as a form with nothing chosen sends it) means absent.
            variants.append(EMPTY_MEANS_ABSENT)
        params.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": variants[0] if len(variants) == 1 else {"anyOf": variants},
            }
        )
    return params


def _is_public(path: str, contract: schemas.Contract | None) -> bool:
    return (contract is not None and contract.public) or path.startswith(PUBLIC_PREFIXES)


def _operation(path: str, method: str, entry: Any) -> dict[str, Any]:
    view = entry.view_function
    contract = schemas.of(view) or schemas.Contract(responses={200: None})
    doc = inspect.getdoc(view) or view.__name__
    path_names = re.findall(r"{(\w+)}", path)
    public = _is_public(path, contract)
    state_changing = method not in SAFE_METHODS and not path.startswith("/api/banks/")
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}_{view.__name__}",
        "summary": doc.splitlines()[0],
        "tags": [path.split("/")[2]],
        "parameters": [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": dict(schemas.PATH_PARAMETERS.get(name, schemas.DEFAULT_PATH_PARAMETER)),
            }
            for name in path_names
        ],
    }
    if contract.query is not None:
        operation["parameters"] += _query_parameters(contract.query)
    if state_changing:
        operation["parameters"].append(
            {
                "name": "X-Requested-With",
                "in": "header",
                "required": True,
                "description": "CSRF guard: every state-changing request carries it",
                "schema": {"type": "string", "enum": ["XMLHttpRequest"]},
            }
        )
    if contract.body is not None:
        operation["requestBody"] = {"required": True, "content": _json(_ref(contract.body))}
    responses: dict[str, Any] = {}
    for status, model in sorted(contract.responses.items()):
        schema = _ref(model) if model is not None else {"type": "object"}
        responses[str(status)] = {"description": STATUS_TEXT.get(status, "OK"), "content": _json(schema)}
    errors = {503, *contract.errors}
    if contract.body is not None or contract.query is not None or path_names or state_changing:
        errors.add(400)
    if contract.body is not None:
        errors.add(413)
    if not public:
        errors.add(401)
    if state_changing or path.startswith("/api/dev/"):
        errors.add(403)
    if path_names:
        errors.add(404)
    for status in sorted(errors):
        responses[str(status)] = {
            "description": STATUS_TEXT[status],
            "content": _json(_ref(schemas.ErrorAnswer)),
        }
    operation["responses"] = responses
    if not public:
        operation["security"] = [{"session": []}]
    return operation


def _models(routes: dict[str, dict[str, Any]]) -> list[type]:
    found: dict[str, type] = {"ErrorAnswer": schemas.ErrorAnswer}
    for methods in routes.values():
        for entry in methods.values():
            contract = schemas.of(entry.view_function)
            if contract is None:
                continue
            for model in (contract.body, *contract.responses.values()):
                if model is not None:
                    found[model.__name__] = model
    return list(found.values())


def document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path in sorted(routes):
        paths[path] = {
            method.lower(): _operation(path, method, entry) for method, entry in sorted(routes[path].items())
        }
    _, components = msgspec.json.schema_components(_models(routes), ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "社保个人网上服务 API",
            "version": "1.0.0",
            "description": "Personal online social-insurance service. Money is integer fen; "
            'months are YYYYMM. Errors: {"error":{"code","message","field"}}.',
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sbp_session"}},
        },
    }

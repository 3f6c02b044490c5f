"""OpenAPI 3 document built from the registered Chalice routes, so it can never drift."""
from __future__ import annotations

import inspect
import re
from typing import Any

PUBLIC_PREFIXES = ("/api/auth/captcha", "/api/auth/login", "/api/auth/activate", "/api/auth/forgot",
                   "/api/auth/sms-login/", "/api/auth/passkey/",
                   "/api/openapi.json", "/api/banks/", "/api/certificates/verify", "/api/dev/")
ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "field": {"type": "string"}}}}}


def _operation(path: str, method: str, entry: Any) -> dict[str, Any]:
    doc = inspect.getdoc(entry.view_function) or entry.view_function.__name__
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}_{entry.view_function.__name__}",
        "summary": doc.splitlines()[0],
        "tags": [path.split("/")[2]],
        "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                       for name in re.findall(r"{(\w+)}", path)],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
            "4XX": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }
    if not path.startswith(PUBLIC_PREFIXES):
        operation["security"] = [{"session": []}]
    if method not in ("GET", "HEAD", "OPTIONS") and not path.startswith("/api/banks/"):
        operation["parameters"].append({"name": "X-Requested-With", "in": "header", "required": True,
                                        "schema": {"type": "string", "enum": ["XMLHttpRequest"]}})
    return operation


def document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path in sorted(routes):
        paths[path] = {method.lower(): _operation(path, method, entry)
                       for method, entry in sorted(routes[path].items())}
    return {
        "openapi": "3.0.3",
        "info": {"title": "社保个人网上服务 API", "version": "1.0.0",
                 "description": "Personal online social-insurance service. Money is integer fen."},
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sbp_session"}},
        },
    }

"""An OpenAPI schema that tells the truth about error answers.

FastAPI documents its own ``HTTPValidationError`` for 422, while every error the service sends
is an ``ErrorBody`` (``{error, detail}``); and answers the framework gives on any route (a
malformed or oversized body, a missing credential) appear nowhere. This rewrites both.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from backend.contracts import ErrorBody

FieldChoices = dict[tuple[str, str], list[str]]

_ERROR_REF = "#/components/schemas/ErrorBody"
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "patch")

# Answers the framework and middleware give whatever the route does.
_BODY_ERRORS = {
    "400": "bad_request: the body could not be parsed",
    "413": "body_too_large",
    "415": "unsupported_media_type",
}
_INPUT_ERROR = ("422", "validation_failed: a field is missing or out of its bounds")
_CREDENTIAL_ERROR = ("401", "the credential is missing, unknown or revoked")


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
    }


def _replace_refs(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("$ref") == "#/components/schemas/HTTPValidationError":
            return {"$ref": _ERROR_REF}
        return {key: _replace_refs(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace_refs(item) for item in node]
    return node


def _document_framework_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    if "requestBody" in operation:
        for code, description in _BODY_ERRORS.items():
            responses.setdefault(code, _error_response(description))
    if "requestBody" in operation or operation.get("parameters"):
        responses.setdefault(_INPUT_ERROR[0], _error_response(_INPUT_ERROR[1]))
    if operation.get("security"):
        responses.setdefault(_CREDENTIAL_ERROR[0], _error_response(_CREDENTIAL_ERROR[1]))


def _restrict_values(components: dict[str, Any], choices: FieldChoices) -> None:
    for (model, field), values in choices.items():
        properties = components.get(model, {}).get("properties", {})
        if field in properties:
            properties[field]["enum"] = sorted(values)


def truthful_schema(app: FastAPI, choices: FieldChoices | None = None) -> dict[str, Any]:
    """The app's OpenAPI document with the real error bodies and codes.

    ``choices`` lists the values a model's field accepts where configuration decides them
    (the services that have a fee, say), so the schema names them.
    """
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schema = _replace_refs(schema)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FRAMEWORK_SCHEMAS:
        components.pop(name, None)
    components.setdefault("ErrorBody", ErrorBody.model_json_schema())
    _restrict_values(components, choices or {})
    for path_item in schema.get("paths", {}).values():
        for method in _METHODS:
            if method in path_item:
                _document_framework_errors(path_item[method])
    return schema


def install_truthful_openapi(app: FastAPI, choices: FieldChoices | None = None) -> None:
    def _openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = truthful_schema(app, choices)
        return app.openapi_schema

    app.openapi = _openapi  # type: ignore[method-assign]

"""The API's schema class (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): drf-spectacular's, with
every operation's refusals and their bodies added in this one place.

A module of its own: views decorated with @extend_schema import the schema class, so it cannot
live next to them (ocip/api.py)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """A refusal that is not about one field: not logged in or not allowed (403), nothing
    there (404), a state that does not allow it (409), a body, address or query string that
    cannot be read (400)."""

    detail = serializers.CharField()


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Input that is not valid: field name → its messages; `non_field_errors` for "
    "the input as a whole. A field holding several values (a step's `answers`, a list) "
    "nests its messages by question id or by position.",
    "properties": {"non_field_errors": {"type": "array", "items": {"type": "string"}}},
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        ]
    },
}

UNREADABLE = (
    "the address or query string cannot be read (a NUL character or a lone surrogate: `Error`, "
    "whose `detail` says where)"
)
UNREADABLE_BODY = (
    "the body cannot be read (not JSON, too large, nested too deep, a NUL character or a lone "
    "surrogate), nor the address or query string (`Error`, whose `detail` says why)"
)
# SessionAuthentication is the only authentication and sends no WWW-Authenticate challenge, so
# DRF answers 403 (never 401) to someone not logged in.
REFUSED = (
    "not logged in (log in on the site: the session cookie is the API's only authentication, "
    "so the answer is 403, never 401); a write without the CSRF token (the `csrftoken` "
    "cookie's value in an `X-CSRFToken` header); a staff role without two-factor "
    "authentication; or not allowed."
)
NO_PAGE = "No such page (`page` past the last one, or not a page number)."


def _described(declared: str, standard: str) -> str:
    return f"{declared} Or {standard}" if declared else standard[0].upper() + standard[1:]


class ApiSchema(AutoSchema):
    """Every operation documents what it can really answer: the standard refusals are added
    here once (400, 403, 404 where a path names an object or a page is asked for), each with
    its body (`Error` or `ValidationError`); a 409 or a more precise description an endpoint
    declares itself gets the `Error` body. Only a GET is paginated: a POST answering with a
    list answers with a plain list."""

    def _get_paginator(self):
        return super()._get_paginator() if self.method == "GET" else None

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not field.allow_blank
            and not {"enum", "pattern"} & set(schema)
        ):
            # DRF refuses empty text, and text of spaces only (it trims it first): say so.
            schema.setdefault("minLength", 1)
            if field.trim_whitespace:
                schema["pattern"] = r"\S"
        return schema

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer(), "response").ref
        component = ResolvedComponent(
            name="ValidationError",
            type=ResolvedComponent.SCHEMA,
            schema=VALIDATION_ERROR_SCHEMA,
            object="ValidationError",
        )
        self.registry.register_on_missing(component)
        parameters = operation.get("parameters", [])
        reads_input = "requestBody" in operation or any(
            p["in"] == "query" and p["name"] != "page" for p in parameters
        )
        paginated = any(p["in"] == "query" and p["name"] == "page" for p in parameters)
        names_object = any(p["in"] == "path" for p in parameters)

        responses = operation["responses"]

        def add(code: str, schema: dict, description: str) -> None:
            responses[code] = {
                "content": {"application/json": {"schema": schema}},
                "description": description,
            }

        declared = {code: responses.get(code, {}).get("description", "") for code in responses}
        unreadable = UNREADABLE_BODY if "requestBody" in operation else UNREADABLE
        if reads_input:
            add(
                "400",
                {"oneOf": [component.ref, error]},
                _described(
                    declared.get("400", ""),
                    f"{unreadable}."
                    if declared.get("400")
                    else f"the input is not valid, by field (`ValidationError`); or {unreadable}.",
                ),
            )
        else:
            add("400", error, _described(declared.get("400", ""), f"{UNREADABLE}."))
        add("403", error, _described(declared.get("403", ""), REFUSED))
        if names_object or paginated:
            text = declared.get("404") or "No such object among those you may see."
            add("404", error, " ".join([text] * names_object + [NO_PAGE] * paginated))
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                response["content"] = {"application/json": {"schema": error}}
        operation["responses"] = dict(sorted(responses.items()))
        return operation


def overlapping_unions(result, generator, request, public):
    """drf-spectacular postprocessing hook: a PolymorphicProxySerializer without a resource type
    field is `oneOf`, but ours overlap (an office's request detail is the business's plus the
    internal keys; the action inputs differ by the path's action, and `withdraw` needs no field
    at all), so a valid document would match several. Without a discriminator, say `anyOf`."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        if "oneOf" in schema and "discriminator" not in schema:
            schema["anyOf"] = schema.pop("oneOf")
    return result

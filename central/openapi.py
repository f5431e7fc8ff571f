"""The OpenAPI 3.0 description of /api/v1, served at /api/v1/openapi.json (docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from sync.protocol import MAX_BATCH_RECORDS, MAX_COUNT, MAX_TEXT, STATUSES

_HEX32 = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
_HEX16 = {"type": "string", "pattern": "^[0-9a-f]{16}$"}
_CODE = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json_body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}


_AUTH_ERRORS = {
    "401": _error("missing, unknown or revoked device token (invalid_token, device_revoked)")
}

_BODY_ERRORS = {
    "400": _error("malformed_json, wrong_type, missing_field, bad_value"),
    "413": _error("body_too_large"),
    "415": _error("unsupported_media_type"),
}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    },
    "EnrolRequest": {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {"type": "string", "maxLength": 64},
            "previous_device_id": {"type": "string", "maxLength": 64},
        },
    },
    "Enrolment": {
        "type": "object",
        "required": [
            "device_id",
            "token",
            "site",
            "location",
            "location_name",
            "responses_key",
            "contacts_key",
        ],
        "properties": {
            k: {"type": "string"}
            for k in (
                "device_id",
                "token",
                "site",
                "location",
                "location_name",
                "responses_key",
                "contacts_key",
            )
        },
    },
    "Record": {
        "type": "object",
        "required": [
            "record_id",
            "survey_id",
            "survey_version",
            "location_code",
            "created_hour",
            "key_id",
            "sealed",
        ],
        "properties": {
            "record_id": _HEX32,
            "survey_id": _CODE,
            "location_code": _CODE,
            "survey_version": {"type": "integer", "minimum": 1, "maximum": 1000000},
            "created_hour": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}$"},
            "key_id": _HEX16,
            "contact_key_id": {**_HEX16, "nullable": True},
            "sealed": {"type": "string", "format": "byte", "minLength": 4},
            "sealed_contact": {
                "type": "string",
                "format": "byte",
                "minLength": 4,
                "nullable": True,
            },
        },
    },
    "Batch": {
        "type": "object",
        "required": ["protocol", "batch_id", "records"],
        "properties": {
            "protocol": {"type": "integer", "enum": [1]},
            "batch_id": _HEX32,
            "records": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_BATCH_RECORDS,
                "items": {"$ref": "#/components/schemas/Record"},
            },
        },
    },
    "BatchResult": {
        "type": "object",
        "required": ["batch_id", "results"],
        "properties": {
            "batch_id": _HEX32,
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["record_id", "status", "reason"],
                    "properties": {
                        "record_id": _HEX32,
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "reason": {"type": "string", "nullable": True},
                    },
                },
            },
        },
    },
    "Heartbeat": {
        "type": "object",
        "required": ["app_version", "pending"],
        "properties": {
            "app_version": {"type": "string", "maxLength": MAX_TEXT},
            "pending": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
            "oldest_pending_age": {
                "type": "number",
                "minimum": 0,
                "maximum": MAX_COUNT,
                "nullable": True,
            },
            "free_disk": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT, "nullable": True},
            "audio": {"type": "string", "maxLength": MAX_TEXT, "nullable": True},
            "last_error": {"type": "string", "maxLength": MAX_TEXT, "nullable": True},
        },
    },
    "Content": {
        "type": "object",
        "required": ["location", "surveys", "settings", "you_said_we_heard"],
        "properties": {
            "location": {"type": "string"},
            "surveys": {"type": "array", "items": {"type": "object"}},
            "settings": {"type": "object", "nullable": True},
            "you_said_we_heard": {"type": "array", "items": {"type": "object"}},
            "keys": {"type": "object", "properties": {"responses": {"type": "string"}}},
        },
    },
}


def openapi_schema() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Patient Voice central record",
            "version": "1",
            "description": "Kiosk <-> central record wire protocol. See docs/protocol.md.",
        },
        "paths": {
            "/api/v1/enrol": {
                "post": {
                    "summary": "Exchange a one-time enrolment code for a device identity",
                    "requestBody": _json_body("#/components/schemas/EnrolRequest"),
                    "responses": {
                        "201": {
                            "description": "enrolled; the token is shown this once",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Enrolment"}
                                }
                            },
                        },
                        "403": _error("invalid_code"),
                        "422": _error("wrong_type"),
                        "429": _error("rate_limited (Retry-After): too many wrong codes"),
                        "503": _error("no_keys"),
                        **_BODY_ERRORS,
                    },
                }
            },
            "/api/v1/batches": {
                "post": {
                    "summary": "Upload sealed records (gzip JSON); one answer per record",
                    "security": [{"device": []}],
                    "requestBody": _json_body("#/components/schemas/Batch"),
                    "responses": {
                        "200": {
                            "description": "per-record results",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/BatchResult"}
                                }
                            },
                        },
                        "400": _error("malformed batch, refused whole"),
                        **_AUTH_ERRORS,
                        "409": _error("batch_id_reused"),
                        "413": _error("body_too_large"),
                        "415": _error("unsupported_media_type"),
                        "429": _error("rate_limited (Retry-After): too many from this device"),
                        "503": _error("busy (Retry-After)"),
                    },
                }
            },
            "/api/v1/content": {
                "get": {
                    "summary": "Survey, settings, 'You said, we heard' for the device's location",
                    "security": [{"device": []}],
                    "parameters": [
                        {
                            "name": "If-None-Match",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "content, with an ETag",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Content"}
                                }
                            },
                        },
                        "304": {"description": "unchanged since the ETag sent"},
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/api/v1/heartbeat": {
                "post": {
                    "summary": "Report the kiosk's health",
                    "security": [{"device": []}],
                    "requestBody": _json_body("#/components/schemas/Heartbeat"),
                    "responses": {
                        "204": {"description": "recorded"},
                        **_AUTH_ERRORS,
                        **_BODY_ERRORS,
                    },
                }
            },
            "/api/v1/health": {
                "get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}
            },
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "device": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the device token from enrolment",
                }
            },
        },
    }

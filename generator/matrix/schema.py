"""The JSON Schema of matrix.yml, generated from generator.matrix.model (committed as
matrix.schema.json so editors can complete and check matrix.yml)."""

from __future__ import annotations

import json
from typing import Any

from generator.matrix.model import Matrix

SCHEMA_FILE = "matrix.schema.json"
_DISTRIBUTION_NAME = r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$"


def matrix_schema() -> dict[str, Any]:
    schema = Matrix.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "python-musl-wheels matrix.yml"
    schema["properties"]["modules"]["propertyNames"] = {"pattern": _DISTRIBUTION_NAME}
    return schema


def schema_text() -> str:
    return json.dumps(matrix_schema(), indent=2, sort_keys=True) + "\n"

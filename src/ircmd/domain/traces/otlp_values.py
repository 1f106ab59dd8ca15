"""OTLP JSON ``AnyValue`` and ``KeyValue`` lists as Python values: shared by the trace decoder
(:mod:`ircmd.domain.traces.otlp`) and the logs decoder (:mod:`ircmd.domain.traces.logs`),
so the logs decoder need not import the trace decoder (which imports it)."""

from __future__ import annotations

import base64
import binascii
from typing import Any


def any_value(v: Any) -> Any:
    """Decode one OTLP ``AnyValue`` object to a Python value (``None`` when empty)."""
    if not isinstance(v, dict):
        return v  # tolerate producers that write plain JSON values
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        iv = v["intValue"]
        if type(iv) is int:
            return iv
        try:
            return int(iv)
        except (TypeError, ValueError):
            return iv
    if "boolValue" in v:
        return bool(v["boolValue"])
    if "doubleValue" in v:
        dv = v["doubleValue"]
        if isinstance(dv, int | float):
            return float(dv)
        try:
            return float(dv)
        except (TypeError, ValueError):
            return dv
    if "arrayValue" in v:
        av = v["arrayValue"]
        values = av.get("values") if isinstance(av, dict) else None
        return [any_value(x) for x in values] if isinstance(values, list) else []
    if "kvlistValue" in v:
        kv = v["kvlistValue"]
        values = kv.get("values") if isinstance(kv, dict) else None
        return attributes_dict(values) if isinstance(values, list) else {}
    if "bytesValue" in v:
        bv = v["bytesValue"]
        try:
            return base64.b64decode(bv) if isinstance(bv, str) else b""
        except (binascii.Error, ValueError):
            return bv
    # snake_case spellings
    for k in ("string_value", "int_value", "bool_value", "double_value"):
        if k in v:
            return any_value({_CAMEL[k]: v[k]})
    if "array_value" in v:
        return any_value({"arrayValue": v["array_value"]})
    if "kvlist_value" in v:
        return any_value({"kvlistValue": v["kvlist_value"]})
    if "bytes_value" in v:
        return any_value({"bytesValue": v["bytes_value"]})
    return None


_CAMEL = {
    "string_value": "stringValue",
    "int_value": "intValue",
    "bool_value": "boolValue",
    "double_value": "doubleValue",
}


def attributes_dict(raw: Any) -> dict[str, Any]:
    """A list of OTLP ``KeyValue`` objects as a dict (later keys win)."""
    out: dict[str, Any] = {}
    if not isinstance(raw, list):
        return out
    for kv in raw:
        if isinstance(kv, dict):
            k = kv.get("key")
            if isinstance(k, str):
                out[k] = any_value(kv.get("value"))
    return out

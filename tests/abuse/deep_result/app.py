"""Test-only function for json_abuse_test: returns a result nested `depth` levels deep (100,000 by default).

A real Lambda function can return any bytes (a custom runtime posts its response body as it likes), but the
local Python runtime serializes a handler's result with json.dumps, which recurses once per level and so
cannot write such a document. This handler therefore gives the runtime its JSON text ready-made: it wraps
json.dumps so that a RawJson value is passed through as it is. Nothing else in the runtime changes.
"""
import json

_dumps = json.dumps


class RawJson(str):
    """JSON text to be sent as the function's response body without being serialized again."""


def _dumps_raw(obj, *args, **kwargs):
    if isinstance(obj, RawJson):
        return str(obj)
    return _dumps(obj, *args, **kwargs)


json.dumps = _dumps_raw


def handler(event, context):
    depth = int(event.get("depth", 100000))
    return RawJson('{"a":' * depth + "1" + "}" * depth)

"""Sample tool that asks the user to confirm before it acts (MCP 2026-07-28 input-required results).

First call: the event is the tool's arguments, {"path": "..."}. The function does not act; it returns an
input-required result asking the client to elicit a confirmation, with a state of its own. lambda-mcp seals
the state (the client sees an opaque, integrity-protected string) and keeps nothing.

Retry: the client answers and calls the tool again; the event is the same arguments plus "_mcp":
  {"inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}},
   "requestState": {"action": "delete", "path": "..."}}   # verified by lambda-mcp: the function's own state
Only then does it "delete" (this sample deletes nothing; it says what it would have deleted).
"""


def ask(path):
    return {
        "resultType": "input_required",
        "inputRequests": {
            "confirm": {
                "method": "elicitation/create",
                "params": {
                    "message": "Delete %s? This cannot be undone." % path,
                    "requestedSchema": {
                        "type": "object",
                        "properties": {"confirm": {"type": "boolean", "title": "Delete it"}},
                        "required": ["confirm"],
                    },
                },
            }
        },
        "requestState": {"action": "delete", "path": path},
    }


def handler(event, context):
    path = event.get("path")
    if not isinstance(path, str) or not path:
        raise ValueError("path (a non-empty string) is required")
    mcp = event.get("_mcp")
    if mcp is None:
        return ask(path)
    state = mcp.get("requestState") or {}
    if state.get("action") != "delete" or state.get("path") != path:
        return ask(path)  # no state, or one issued for another path: ask again
    answer = (mcp.get("inputResponses") or {}).get("confirm")
    if not isinstance(answer, dict) or "action" not in answer:
        return ask(path)  # the client did not answer: ask again
    if answer["action"] == "accept" and (answer.get("content") or {}).get("confirm") is True:
        return {"deleted": path}
    return {"deleted": None, "path": path, "reason": "not confirmed (%s)" % answer["action"]}

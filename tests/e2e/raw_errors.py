"""Raw-pipe error cases, no client library: each gets the right JSON-RPC error and ping still works after."""
from rawpipe import Server, check, error_code

server = Server()

# A request before initialize: rejected, ping allowed.
r = server.request("tools/list", request_id=1)
check(error_code(r) == -32600 and r["id"] == 1, f"request before initialize: {r}")
server.expect_ping()

server.initialize()

# Malformed JSON → -32700 with id null.
server.send_raw(b'{"jsonrpc":"2.0","id":2,"method":\n')
r = server.recv()
check(error_code(r) == -32700 and r["id"] is None, f"malformed JSON: {r}")
server.expect_ping()

# A JSON array (batch) at 2025-11-25 → -32600 with id null, one object (not an array) back.
server.send_raw(b'[{"jsonrpc":"2.0","id":3,"method":"ping"}]\n')
r = server.recv()
check(isinstance(r, dict) and error_code(r) == -32600 and r["id"] is None, f"JSON array: {r}")
check("batch" in r["error"]["message"], f"batch error says why: {r}")
server.expect_ping()

# A request without method → -32600 echoing the id.
server.send({"jsonrpc": "2.0", "id": "no-method"})
r, _ = server.recv_response("no-method")
check(error_code(r) == -32600, f"request without method: {r}")
server.expect_ping()

# tools/call without name → -32602.
r = server.request("tools/call", {"arguments": {}}, request_id=5)
check(error_code(r) == -32602, f"tools/call without name: {r}")
server.expect_ping()

# Unknown method → -32601; unknown tool → -32602.
check(error_code(server.request("prompts/list", request_id=6)) == -32601, "unknown method")
check(error_code(server.request("tools/call", {"name": "nope"}, request_id=7)) == -32602, "unknown tool")

# A 10 MB line (over the 8 MiB default) → -32600 with id null; the server keeps serving.
big = b'{"jsonrpc":"2.0","id":8,"method":"ping","params":{"pad":"' + b"x" * (10 * 1024 * 1024) + b'"}}\n'
server.send_raw(big)
r = server.recv()
check(error_code(r) == -32600 and r["id"] is None, f"10 MB line: {r}")
check("exceeds" in r["error"]["message"], f"size error says why: {r}")
server.expect_ping()

# String and integer ids come back with their type.
r = server.request("ping", request_id="42")
check(r["id"] == "42", f"string id echoed: {r}")

code, rest, _ = server.close_and_wait()
check(code == 0, f"exit code on EOF: {code}")
check(rest == [], f"unexpected messages after EOF: {rest}")
# At 2025-03-26 a batch is accepted and answered with one array.
server = Server()
result = server.initialize(version="2025-03-26")
check(result["protocolVersion"] == "2025-03-26", f"negotiated 2025-03-26: {result}")
server.send_raw(b'[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},'
                b'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_simple_text"}}]\n')
r = server.recv()
check(isinstance(r, list) and sorted(m["id"] for m in r) == [1, 2], f"batch answered with one array: {r}")
server.expect_ping()
code, _, _ = server.close_and_wait()
check(code == 0, f"exit code {code}")

# An unknown version is answered with the latest.
server = Server()
result = server.initialize(version="1999-01-01")
check(result["protocolVersion"] == "2025-11-25", f"unknown version → latest: {result}")
code, _, _ = server.close_and_wait()
check(code == 0, f"exit code {code}")
print("PASS")

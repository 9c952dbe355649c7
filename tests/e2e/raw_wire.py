"""Raw wire check: a full session (list, calls with progress and logs, a server→client request) where every
stdout line is exactly one compact JSON-RPC object, and nothing else appears on stdout."""
from rawpipe import Server, check

server = Server()
server.initialize(capabilities={"sampling": {}})
tools = server.request("tools/list")["result"]["tools"]
check(len(tools) == 34, f"34 fixture tools listed, got {len(tools)}")
server.request("logging/setLevel", {"level": "debug"})

# Progress: 0, 50, 100 with the caller's token, all before the response.
server.send({"jsonrpc": "2.0", "id": "p", "method": "tools/call",
             "params": {"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": "tok"}}})
r, before = server.recv_response("p")
progress = [m["params"]["progress"] for m in before if m.get("method") == "notifications/progress"]
check(progress == [0, 50, 100], f"progress before the response: {before}")
check(all(m["params"]["progressToken"] == "tok" for m in before), "progress token echoed")

# Logs: three info messages during the call.
server.send({"jsonrpc": "2.0", "id": "l", "method": "tools/call", "params": {"name": "test_tool_with_logging"}})
r, before = server.recv_response("l")
logs = [m["params"]["data"] for m in before if m.get("method") == "notifications/message"]
check(logs == ["Tool execution started", "Tool processing data", "Tool execution completed"], f"logs: {before}")

# Sampling: the server asks us, we answer by id, the call completes.
server.send({"jsonrpc": "2.0", "id": "s", "method": "tools/call",
             "params": {"name": "test_sampling", "arguments": {"prompt": "hi"}}})
request = server.recv()
check(request.get("method") == "sampling/createMessage", f"sampling request: {request}")
server.send({"jsonrpc": "2.0", "id": request["id"],
             "result": {"role": "assistant", "model": "m", "content": {"type": "text", "text": "yo"}}})
r, _ = server.recv_response("s")
check(r["result"]["content"][0]["text"] == "LLM response: yo", f"sampling result: {r}")

code, rest, _ = server.close_and_wait()
check(code == 0, f"exit code {code}")
for raw in server.all_lines:
    check(raw.count(b"\n") == 1 and raw.endswith(b"\n"), f"one message per line: {raw[:100]!r}")
    check(raw.startswith(b"{") and raw.rstrip(b"\n").endswith(b"}"), f"one compact object per line: {raw[:100]!r}")
print(f"PASS ({len(server.all_lines)} lines checked)")

"""Cancellation and shutdown over a raw pipe: a cancelled call sends no response and stops its progress; on
stdin EOF in-flight calls finish before a clean exit 0; SIGTERM during a long call answers it -32603 ("may have
run") once --shutdown-grace-ms has passed, then exits 0."""
import signal
import time

from rawpipe import Server, check

# Cancel: progress stops, no response, ping still answered, and EOF then exits quickly (nothing running).
server = Server()
server.initialize()
server.send({"jsonrpc": "2.0", "id": "slow", "method": "tools/call",
             "params": {"name": "test_slow", "arguments": {"ms": 60000}, "_meta": {"progressToken": 1}}})
first = server.recv()
check(first.get("method") == "notifications/progress", f"slow call reports progress: {first}")
server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "slow", "reason": "test"}})
server.send({"jsonrpc": "2.0", "id": "after", "method": "ping"})
r, _ = server.recv_response("after")
check(r.get("result") == {}, "ping after cancel")
time.sleep(0.3)  # progress would keep coming every 50 ms if the call were still running
code, rest, seconds = server.close_and_wait()
check(code == 0, f"exit code {code}")
check(rest == [], f"nothing after cancellation (no response, no progress): {rest}")
check(seconds < 4.0, f"exit took {seconds:.1f}s: the cancelled call was still running")

# EOF with an in-flight call: its response still arrives, then exit 0.
server = Server()
server.initialize()
server.send({"jsonrpc": "2.0", "id": "inflight", "method": "tools/call",
             "params": {"name": "test_slow", "arguments": {"ms": 300}}})
code, rest, _ = server.close_and_wait()
check(code == 0, f"exit code {code}")
responses = [m for m in rest if m.get("id") == "inflight"]
check(len(responses) == 1 and "result" in responses[0], f"in-flight call answered before exit: {rest}")

# SIGTERM during a long call: after the grace (1 s here), -32603 "may have run", then a clean exit 0.
server = Server("--shutdown-grace-ms", "1000")
server.initialize()
server.send({"jsonrpc": "2.0", "id": "long", "method": "tools/call",
             "params": {"name": "test_slow", "arguments": {"ms": 60000}}})
server.expect_ping()
start = time.monotonic()
server.proc.send_signal(signal.SIGTERM)
r, _ = server.recv_response("long")
check(r.get("error", {}).get("code") == -32603 and "may have run" in r["error"].get("message", ""),
      f"the abandoned call is answered: {r}")
code = server.proc.wait(10)
check(code == 0, f"exit code after SIGTERM: {code}")
seconds = time.monotonic() - start
check(0.9 < seconds < 5.0, f"SIGTERM exit after the grace: {seconds:.1f}s")
print("PASS")

#!/usr/bin/env python3
"""Black-box: scripts/run.sh (what `make run` runs after building) reaches the demo output — tools listed,
one successful call, one function error, a Streamable HTTP URL that answers — and Ctrl-C (SIGINT) stops everything it started."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

BIN = os.environ.get("LMCP_BIN") or sys.exit("FAIL: LMCP_BIN is not set")
SRC = os.environ.get("LMCP_SOURCE_DIR") or sys.exit("FAIL: LMCP_SOURCE_DIR is not set")
if not os.path.isdir(os.path.join(SRC, "tests/e2e/client/node_modules/@modelcontextprotocol/sdk")):
    sys.exit("FAIL: tests/e2e/client/node_modules is missing (scripts/setup.sh installs it)")

start = time.monotonic()
proc = subprocess.Popen([os.path.join(SRC, "scripts/run.sh")], env=dict(os.environ, LMCP_BIN=BIN),
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
out = []
deadline = time.monotonic() + 120
for line in proc.stdout:
    out.append(line)
    sys.stdout.write(line)
    if "Claude Desktop" in line or time.monotonic() > deadline:
        break
elapsed = time.monotonic() - start
text = "".join(out)

# The Streamable HTTP server run.sh starts must answer an initialize.
http_ok = False
m = re.search(r"Streamable HTTP\) is running at (http://\S+)", text)
if m:
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "make-run-smoke", "version": "1"}}}
    req = urllib.request.Request(m.group(1), data=json.dumps(init).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Accept": "application/json, text/event-stream"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            http_ok = r.status == 200 and bool(r.headers.get("Mcp-Session-Id"))
    except OSError as e:
        print("HTTP initialize failed:", e)
os.killpg(proc.pid, signal.SIGINT)
try:
    proc.wait(15)
except subprocess.TimeoutExpired:
    os.killpg(proc.pid, signal.SIGKILL)
    sys.exit("FAIL: run.sh did not stop on SIGINT")
leftover = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True).stdout.split()
failures = [what for what, ok in [
    ("tools listed", "== tools/list: 7 tools" in text),
    ("a fire-and-forget call", "was invoked asynchronously (InvocationType=Event)" in text),
    ("the long job's result", "rows" in text),
    ("a successful call", "isError: false" in text),
    ("a function error", "isError: true" in text),
    ("connection help", "mcpServers" in text or "Claude Desktop" in text),
    ("a Streamable HTTP URL that answers initialize", http_ok),
    ("nothing left running after Ctrl-C", not leftover),
] if not ok]
print("run.sh reached the demo output in %.1f s" % elapsed)
if failures:
    sys.exit("FAIL: " + ", ".join(failures))
print("ok")

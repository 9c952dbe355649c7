"""A tiny stdio driver for lambda-mcp without any MCP library: write lines, read JSON lines with a timeout.

Every stdout line is checked to be exactly one JSON-RPC object; anything else fails the test.
"""
import json
import os
import queue
import subprocess
import sys
import threading
import time

TIMEOUT = 20.0


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Server:
    def __init__(self, *extra_args, serve_args=None, env=None, stderr=None):
        """`lambda-mcp serve --conformance-fixtures *extra_args`, or `serve *serve_args` with `env`; stderr is
        the test's unless `stderr` (e.g. subprocess.PIPE) says otherwise."""
        binary = os.environ.get("LMCP_BIN")
        check(binary and os.access(binary, os.X_OK), f"LMCP_BIN ({binary}) is not an executable lambda-mcp")
        args = ["--conformance-fixtures", *extra_args] if serve_args is None else list(serve_args)
        self.proc = subprocess.Popen(
            [binary, "--log-level", "warn", "serve", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr or sys.stderr.buffer, env=env)
        self.lines = queue.Queue()
        self.all_lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._next_id = 1000

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.put(raw)
        self.lines.put(None)

    def send_raw(self, data: bytes):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message):
        self.send_raw(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    def recv(self, timeout=TIMEOUT):
        """The next stdout message, parsed; fails on anything that is not one JSON object per line."""
        try:
            raw = self.lines.get(timeout=timeout)
        except queue.Empty:
            fail("timed out waiting for a message on stdout")
        if raw is None:
            return None
        self.all_lines.append(raw)
        check(raw.endswith(b"\n"), f"line without newline: {raw[:200]!r}")
        text = raw[:-1].decode("utf-8")
        check("\n" not in text and "\r" not in text, "embedded newline")
        try:
            message = json.loads(text)
        except ValueError as e:
            fail(f"stdout line is not JSON ({e}): {text[:200]!r}")
        check(isinstance(message, (dict, list)), f"stdout line is not a JSON-RPC message: {text[:200]!r}")
        if isinstance(message, dict):
            check(message.get("jsonrpc") == "2.0", f"missing jsonrpc 2.0: {text[:200]!r}")
        return message

    def recv_response(self, request_id, timeout=TIMEOUT):
        """Skips notifications until the response to request_id; returns (response, skipped)."""
        skipped = []
        deadline = time.monotonic() + timeout
        while True:
            message = self.recv(max(0.1, deadline - time.monotonic()))
            check(message is not None, f"stdout closed before the response to {request_id!r}")
            if isinstance(message, dict) and "method" not in message and message.get("id") == request_id \
                    and type(message.get("id")) is type(request_id):
                return message, skipped
            skipped.append(message)

    def request(self, method, params=None, request_id=None):
        if request_id is None:
            self._next_id += 1
            request_id = self._next_id
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.recv_response(request_id)[0]

    def initialize(self, version="2025-11-25", capabilities=None):
        r = self.request("initialize", {"protocolVersion": version, "capabilities": capabilities or {},
                                        "clientInfo": {"name": "rawpipe", "version": "1"}})
        check("result" in r, f"initialize failed: {r}")
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return r["result"]

    def expect_ping(self):
        r = self.request("ping")
        check(r.get("result") == {}, f"ping not answered with {{}}: {r}")

    def close_and_wait(self, timeout=TIMEOUT):
        """Closes stdin; returns (exit code, messages still sent, seconds to exit)."""
        start = time.monotonic()
        self.proc.stdin.close()
        rest = []
        while True:
            message = self.recv(timeout)
            if message is None:
                break
            rest.append(message)
        code = self.proc.wait(timeout)
        return code, rest, time.monotonic() - start


def error_code(message):
    check(isinstance(message, dict) and "error" in message, f"expected an error response, got {message}")
    return message["error"]["code"]

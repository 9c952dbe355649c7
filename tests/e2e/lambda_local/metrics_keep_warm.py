"""Black-box: /metrics and keep-warm against `lambda-mcp local` (examples/template.yaml).

stdio mode with the separate loopback listener (--metrics-listen 127.0.0.1:0) and a keep-warm rule of 2 s for
mcp-echo: after some tools/call, the scrape is parsed by an ecosystem parser (prometheus_client's, Debian's
python3-prometheus-client) and its values asserted; the pings reach the endpoint at the configured interval
(its /__admin/stats), never more often, and are absent from the audit log and from the call series. Then
Streamable HTTP: /metrics takes the bearer token /mcp takes, unless --metrics-public.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from rawpipe import Server, check, fail  # noqa: E402

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    # Debian's python3-prometheus-client serves /usr/bin/python3; a pyenv or venv python may not see it.
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and os.access("/usr/bin/python3", os.X_OK):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    fail("python3-prometheus-client is not installed; run scripts/setup.sh")

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
BIN = os.environ.get("LMCP_BIN", "")
EVERY = 2.0  # the keep-warm interval under test, seconds


def start_local():
    proc = subprocess.Popen([BIN, "local", "--template", os.path.join(ROOT, "examples", "template.yaml"),
                             "--port", "0", "--access-key-id", "AKIDLOCAL", "--secret-access-key", "local-secret"],
                            stdout=subprocess.PIPE, stderr=sys.stderr.buffer, text=True)
    for line in proc.stdout:
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            return proc, m.group(1)
    fail("lambda-mcp local did not report its address")


def invocations(url, function):
    with urllib.request.urlopen(url + "/__admin/stats", timeout=10) as r:
        return json.load(r)["functions"].get(function, {}).get("invocations", 0)


def get(url, headers=None):
    """(status, content type, body) of a GET."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def samples(text):
    """{(name, frozenset(labels)): value} from the exposition, parsed by prometheus_client."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(parsed, name, **labels):
    return parsed.get((name, frozenset(labels.items())))


class StderrWatch:
    """Echoes the server's stderr and finds the metrics listener's address in it."""

    def __init__(self, stream):
        self.url = None
        self.ready = threading.Event()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for raw in stream:
            line = raw.decode(errors="replace")
            sys.stderr.write(line)
            m = re.search(r"^lambda-mcp: metrics on (http://\S+)$", line)
            if m:
                self.url = m.group(1)
                self.ready.set()


def call(server, tool, arguments):
    return server.request("tools/call", {"name": tool, "arguments": arguments})


def stdio_part(url, env, audit_path):
    server = Server(serve_args=["--metrics-listen", "127.0.0.1:0", "--keep-warm", f"mcp-echo={int(EVERY)}s",
                                "--keep-warm-jitter", "0"], env=env, stderr=subprocess.PIPE)
    watch = StderrWatch(server.proc.stderr)
    check(watch.ready.wait(20), "no 'metrics on' line on stderr")
    started = time.monotonic()
    server.initialize()
    for n in range(3):
        r = call(server, "echo", {"n": n})
        check(r.get("result", {}).get("isError") is not True, f"echo call {n}: {r}")
    bad = call(server, "echo", {"_mcp": {}})  # "_mcp" is reserved: refused, not invoked
    check(bad.get("result", {}).get("isError") is True, f"arguments against the schema: {bad}")

    # Pings keep coming while nothing else happens: watch the endpoint's count for 3 intervals.
    arrivals = []
    last = invocations(url, "mcp-echo")
    deadline = time.monotonic() + 3 * EVERY + 0.5
    while time.monotonic() < deadline:
        now = invocations(url, "mcp-echo")
        arrivals += [time.monotonic()] * (now - last)
        last = now
        time.sleep(0.05)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    check(len(gaps) >= 2, f"at least 3 pings in {3 * EVERY + 0.5} s: {arrivals}")
    # Never more often than configured (less the polling granularity); not much later either.
    check(all(EVERY - 0.15 <= g <= EVERY + 1.0 for g in gaps), f"pings {EVERY} s apart: gaps {gaps}")
    status, ctype, text = get(watch.url)
    elapsed = time.monotonic() - started
    check(status == 200, f"GET /metrics: {status}")
    check(ctype == "text/plain; version=0.0.4; charset=utf-8", f"content type: {ctype}")
    parsed = samples(text)

    def calls(outcome):
        return value(parsed, "lambda_mcp_tool_calls_total", tool="echo", target="default", outcome=outcome)

    check(calls("ok") == 3, f"3 ok calls of echo: {calls('ok')}")
    check(calls("invalid_arguments") == 1, f"1 refused call: {calls('invalid_arguments')}")
    check(value(parsed, "lambda_mcp_tool_call_duration_seconds_count", tool="echo", target="default") == 4,
          "4 call latencies")
    check(value(parsed, "lambda_mcp_lambda_invoke_duration_seconds_count", tool="echo", target="default") == 3,
          "3 Lambda latencies (the refused call was not invoked)")
    inf = value(parsed, "lambda_mcp_lambda_invoke_duration_seconds_bucket", tool="echo", target="default", le="+Inf")
    check(inf == 3, f"+Inf bucket = count: {inf}")
    check(value(parsed, "lambda_mcp_tool_calls_in_flight") == 0, "nothing in flight")
    check((value(parsed, "lambda_mcp_discovery_runs_total", target="default") or 0) >= 1, "a discovery ran")
    check(value(parsed, "lambda_mcp_discovery_failures_total", target="default") == 0, "no discovery failed")
    check(value(parsed, "lambda_mcp_target_up", target="default") == 1, "the target is up")
    check(value(parsed, "lambda_mcp_tools", target="default") == 7, f"7 mcp- tools: {text}")
    check(value(parsed, "lambda_mcp_call_stage_events_total", stage="invoke", counter="invoked") == 3,
          "the invoke stage's counter")
    check(value(parsed, "process_resident_memory_bytes") > 1e6, "RSS")
    check(value(parsed, "process_open_fds") >= 3, "open fds")
    check(value(parsed, "process_threads") >= 2, "threads")
    pings = value(parsed, "lambda_mcp_keep_warm_pings_total", function="mcp-echo", outcome="ok")
    # Jitter 0: a first ping right after discovery, then one every 2 s; never more often.
    check(pings is not None and 3 <= pings <= elapsed / EVERY + 1,
          f"{pings} pings in {elapsed:.1f} s: {[k for k in parsed if 'keep_warm' in k[0]]}")
    print(f"ok   stdio: /metrics parsed by prometheus_client; {pings:.0f} keep-warm pings in {elapsed:.1f} s")

    # The endpoint saw the 3 calls and the pings; the audit log only the 4 calls.
    seen = invocations(url, "mcp-echo") - 3
    check(pings <= seen <= pings + 1, f"the endpoint counted {seen} pings, the metrics {pings}")
    code, _, _ = server.close_and_wait()
    check(code == 0, f"exit code {code}")
    with open(audit_path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    check(len(lines) == 4, f"4 audit lines (the tools/call), no pings: {lines}")
    check([(line["event"], line["tool"]) for line in lines] == [("tools/call", "echo")] * 4, f"audit: {lines}")
    print("ok   keep-warm pings reached the endpoint and are absent from the audit log")


def http_part(env):
    token = "e2e-metrics-token-" + os.urandom(16).hex()
    for public in (False, True):
        args = [BIN, "--log-level", "warn", "serve", "--http", "127.0.0.1:0", "--no-keep-warm"]
        if public:
            args.append("--metrics-public")
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                    env=dict(env, LAMBDA_MCP_AUTH_TOKEN=token, LAMBDA_MCP_AUDIT_LOG="off"))
            try:
                base = None
                for _ in range(200):
                    log.seek(0)
                    m = re.search(rb"^lambda-mcp: listening on (http://\S+)/mcp$", log.read(), re.M)
                    if m:
                        base = m.group(1).decode()
                        break
                    time.sleep(0.05)
                check(base, "no 'listening on' line")
                status, _, _ = get(base + "/metrics")
                check(status == (200 if public else 401), f"/metrics without a token (public={public}): {status}")
                status, _, text = get(base + "/metrics", {"Authorization": "Bearer " + token})
                check(status == 200, f"/metrics with the token: {status}")
                parsed = samples(text)
                check(value(parsed, "lambda_mcp_tool_calls_in_flight") == 0, "the call series are there")
            finally:
                proc.terminate()
                proc.wait(20)
    print("ok   HTTP: /metrics takes the /mcp token unless --metrics-public")


def main():
    check(BIN and os.access(BIN, os.X_OK), f"LMCP_BIN ({BIN}) is not an executable lambda-mcp")
    local, url = start_local()
    tmp = tempfile.mkdtemp(prefix="lmcp-metrics-")
    audit_path = os.path.join(tmp, "audit.log")
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="AKIDLOCAL", AWS_SECRET_ACCESS_KEY="local-secret",
               AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true", FUNCTION_PREFIX="mcp-",
               FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY="tool-input-schema-arn", LAMBDA_MCP_AUDIT_LOG=audit_path)
    try:
        stdio_part(url, env, audit_path)
        http_part(env)
    finally:
        local.terminate()
        local.wait(10)
    print("PASS: metrics and keep-warm")


if __name__ == "__main__":
    main()

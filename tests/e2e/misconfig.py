"""Each misconfiguration a new user makes, and what lambda-mcp says about it: the real binary, one row each.

`tools` rows run `lambda-mcp tools` and check its exit code and stderr. `stdio` rows start `serve` on stdio,
where a client sees only "connection closed" if the process exits: the server must stay up and tools/list must
carry the reason."""
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading

from rawpipe import Server, check

BIN = os.environ["LMCP_BIN"]
# A directory of its own: on a clean clone nothing has created build/state yet.
STATE = tempfile.mkdtemp(prefix="lmcp-misconfig-")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NotFound(http.server.BaseHTTPRequestHandler):
    """A web server that is not AWS: 404 with an HTML page for everything."""

    def do_GET(self):
        body = b"<html><body>Not Found</body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
threading.Thread(target=web.serve_forever, daemon=True).start()
closed = free_port()


def base_env(**extra):
    env = {"PATH": os.environ["PATH"], "HOME": "/nonexistent-home", "XDG_STATE_HOME": STATE,
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDTEST",
           "AWS_SECRET_ACCESS_KEY": "test-secret", "FUNCTION_PREFIX": "mcp-", "LAMBDA_MCP_AUDIT_LOG": "off",
           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}", "AWS_MAX_ATTEMPTS": "1"}
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


TOOLS_ROWS = [
    ("endpoint URL without a scheme", {"AWS_ENDPOINT_URL": "localhost:7300"},
     'AWS_ENDPOINT_URL "localhost:7300" is not an endpoint URL: it needs http:// or https:// '
     "(e.g. http://localhost:7300)"),
    ("Lambda endpoint with another scheme", {"AWS_ENDPOINT_URL_LAMBDA": "ftp://127.0.0.1:21"},
     'AWS_ENDPOINT_URL_LAMBDA "ftp://127.0.0.1:21" is not an endpoint URL: unsupported URL scheme: ftp'),
    ("region without its last dash", {"AWS_REGION": "us-east1"},
     'AWS region "us-east1" is not a region name like us-east-1'),
    ("misspelt variable", {"FUNCTION_PREFX": "mcp-"},
     "FUNCTION_PREFX is not a lambda-mcp variable and is ignored; did you mean FUNCTION_PREFIX?"),
    ("misspelt lambda-mcp setting", {"LAMBDA_MCP_MAX_RESULT_BYTE": "100"},
     "LAMBDA_MCP_MAX_RESULT_BYTE is not a lambda-mcp variable and is ignored; did you mean "
     "LAMBDA_MCP_MAX_RESULT_BYTES?"),
    ("endpoint that is not Lambda", {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{web.server_port}"},
     "HTTP status 404 from something that does not answer like AWS"),
    ("no region", {"AWS_REGION": None}, "no AWS region"),
]

for label, extra, expected in TOOLS_ROWS:
    r = subprocess.run([BIN, "tools"], env=base_env(**extra), capture_output=True, text=True, timeout=60)
    check(r.returncode != 0 or "misspelt" in label, f"{label}: tools exited 0\n{r.stderr}")
    check(expected in r.stderr, f"{label}: stderr lacks {expected!r}:\n{r.stderr[-2000:]}")
    print(f"ok   tools, {label}: {expected}")

# A config file key with a typo: check-config names it and the key meant.
config = os.path.join(STATE, "misconfig.yaml")
with open(config, "w") as f:
    f.write("fuction_prefix: mcp-\n")
r = subprocess.run([BIN, "check-config", config], env=base_env(), capture_output=True, text=True, timeout=30)
check(r.returncode == 2 and "did you mean 'function_prefix'?" in r.stdout + r.stderr,
      f"config key typo: {r.returncode} {r.stdout} {r.stderr}")
print("ok   check-config, key typo: did you mean 'function_prefix'?")

STDIO_ROWS = [
    ("unknown profile", {"AWS_PROFILE": "nope", "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None},
     "nope"),
    ("no region", {"AWS_REGION": None}, "no AWS region"),
    ("endpoint URL without a scheme", {"AWS_ENDPOINT_URL": "localhost:7300"},
     'AWS_ENDPOINT_URL "localhost:7300" is not an endpoint URL'),
    ("nothing selected", {"FUNCTION_PREFIX": None},
     "No Lambda function is selected as a tool: No functions selected: no tools exposed. Set FUNCTION_PREFIX"),
]
for label, extra, expected in STDIO_ROWS:
    server = Server(serve_args=[], env=base_env(**extra), stderr=subprocess.DEVNULL)
    server.initialize()
    r = server.request("tools/list", request_id=2)
    text = str(r.get("error", r.get("result")))
    check("error" in r and expected in r["error"]["message"], f"stdio, {label}: tools/list gave {text[:500]}")
    server.expect_ping()  # still up
    server.close_and_wait()
    print(f"ok   stdio stays up, {label}: tools/list says {r['error']['message'][:120]!r}")

web.shutdown()
shutil.rmtree(STATE, ignore_errors=True)
print("PASS")

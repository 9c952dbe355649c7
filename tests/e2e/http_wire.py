#!/usr/bin/env python3
"""Raw HTTP (curl-level) black-box test of `lambda-mcp serve --http`: every status code of the Streamable
HTTP transport, Host/Origin rejection, static bearer tokens, OAuth JWTs (RS256 signed with the openssl CLI,
JWKS served on port 0) missing/wrong/expired/wrong-audience/wrong-scope, JWKS rotation, session expiry,
DELETE, and graceful SIGTERM. Needs LMCP_BIN; fails loudly if openssl is missing."""
import base64
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.environ.get("LMCP_BIN")
ACCEPT = "application/json, text/event-stream"
FAILURES = []


def fail_now(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        FAILURES.append(msg)
        print("  not ok:", msg, file=sys.stderr)


class Server:
    def __init__(self, *args, env=None):
        self.log = tempfile.NamedTemporaryFile(prefix="lmcp-http-", suffix=".log", delete=False)
        full_env = dict(os.environ)
        full_env.pop("LAMBDA_MCP_AUTH_TOKEN", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen([BIN, "--log-level", "info", "serve", "--http", "127.0.0.1:0",
                                      "--conformance-fixtures", *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log, env=full_env)
        deadline = time.time() + 10
        self.url = None
        while time.time() < deadline and not self.url:
            m = re.search(r"^lambda-mcp: listening on (http://\S+)$", open(self.log.name).read(), re.M)
            if m:
                self.url = m.group(1)
            elif self.proc.poll() is not None:
                fail_now("server exited early:\n" + open(self.log.name).read())
            else:
                time.sleep(0.05)
        if not self.url:
            fail_now("no 'listening on' line:\n" + open(self.log.name).read())
        m = re.match(r"http://127\.0\.0\.1:(\d+)(/mcp)$", self.url)
        self.port, self.path = int(m.group(1)), m.group(2)

    def request(self, method, body=None, headers=None, path=None, host=None, raw=None, timeout=20):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        conn.putrequest(method, path or self.path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or f"127.0.0.1:{self.port}")
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        hdrs = {"Accept": ACCEPT, "Content-Type": "application/json"}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            if v is not None:
                conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        resp = conn.getresponse()
        text = resp.read().decode()
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text

    def initialize(self, headers=None, version="2025-11-25"):
        st, h, body = self.request("POST", init_body(version), headers)
        sid = h.get("mcp-session-id")
        if st == 200 and sid:
            hh = dict(headers or {})
            hh.update({"Mcp-Session-Id": sid, "MCP-Protocol-Version": version})
            self.request("POST", {"jsonrpc": "2.0", "method": "notifications/initialized"}, hh)
        return st, h, body, sid

    def stop(self, expect_clean=True):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = "killed"
        if expect_clean:
            check(rc == 0, f"server exits 0 on SIGTERM (got {rc})")
        return rc


def init_body(version="2025-11-25", id_=1):
    return {"jsonrpc": "2.0", "id": id_, "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "wire", "version": "1"}}}


def sse_messages(text):
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ") and len(line) > 6]


def err_code(text):
    try:
        return json.loads(text)["error"]["code"]
    except Exception:  # noqa: BLE001 - a non-JSON body is reported by the caller's check
        return None


def transport_checks():
    print("transport status codes", file=sys.stderr)
    s = Server()
    try:
        st, _, _ = s.request("GET", path="/healthz")
        check(st == 200, "/healthz 200")
        st, _, _ = s.request("GET", path="/readyz")
        check(st == 200, "/readyz 200 with fixtures")
        st, h, body, sid = s.initialize()
        check(st == 200 and sid and len(sid) >= 32, f"initialize 200 + session id ({st})")
        check(h.get("content-type", "").startswith("application/json"), "initialize answered as JSON")
        check(json.loads(body)["result"]["protocolVersion"] == "2025-11-25", "negotiated 2025-11-25")
        sh = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"}
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}

        st, _, body = s.request("POST", ping, dict(sh, Accept="application/json"))
        check(st == 406 and err_code(body) == -32000, f"POST without text/event-stream in Accept -> 406 ({st})")
        st, _, body = s.request("POST", ping, dict(sh, **{"Content-Type": "text/plain"}))
        check(st == 415, f"text/plain body -> 415 ({st})")
        st, _, body = s.request("POST", None, sh, raw=b"{oops")
        check(st == 400 and err_code(body) == -32700, f"bad JSON -> 400 -32700 ({st} {body})")
        st, _, body = s.request("POST", ping)
        check(st == 400 and err_code(body) == -32000, f"missing Mcp-Session-Id -> 400 ({st})")
        st, _, body = s.request("POST", ping, {"Mcp-Session-Id": "unknown-session", "MCP-Protocol-Version": "2025-11-25"})
        check(st == 404 and err_code(body) == -32001, f"unknown session -> 404 -32001 ({st})")
        st, _, _ = s.request("POST", ping, dict(sh, **{"MCP-Protocol-Version": "2099-01-01"}))
        check(st == 400, f"unsupported MCP-Protocol-Version -> 400 ({st})")
        st, _, body = s.request("POST", ping, {"Mcp-Session-Id": sid})
        check(st == 200 and json.loads(body)["id"] == 2, f"missing version header is accepted ({st})")
        st, _, body = s.request("POST", init_body(), sh)
        check(st == 400 and err_code(body) == -32600, f"second initialize -> 400 -32600 ({st})")
        st, _, body = s.request("POST", {"jsonrpc": "2.0", "method": "notifications/cancelled",
                                         "params": {"requestId": 99}}, sh)
        check(st == 202 and body == "", f"notification -> 202 empty ({st})")
        st, _, body = s.request("POST", {"jsonrpc": "2.0", "id": "srv-1", "result": {}}, sh)
        check(st == 202, f"client response -> 202 ({st})")
        st, h, _ = s.request("PUT", ping, sh)
        check(st == 405 and "POST" in h.get("allow", ""), f"PUT -> 405 + Allow ({st})")
        st, _, body = s.request("POST", {"jsonrpc": "2.0", "id": 3, "method": "no/such"}, sh)
        check(st == 200 and err_code(body) == -32601, f"unknown method -> 200 with -32601 ({st} {body})")
        # A tool call with progress: its notifications and result travel on the POST's SSE stream.
        call = {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
                "params": {"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": "p1"}}}
        st, h, body = s.request("POST", call, sh)
        msgs = sse_messages(body)
        check(st == 200 and h.get("content-type", "").startswith("text/event-stream"), "tools/call answered as SSE")
        check([m.get("method") for m in msgs[:-1]] == ["notifications/progress"] * 3, f"3 progress events ({msgs})")
        check(msgs and msgs[-1].get("id") == 4 and "result" in msgs[-1], "result last on the stream")
        # Host / Origin (DNS rebinding).
        st, _, _ = s.request("POST", init_body(), host="evil.example.com")
        check(st == 403, f"foreign Host -> 403 ({st})")
        st, _, _ = s.request("POST", init_body(), {"Origin": "https://evil.example.com"})
        check(st == 403, f"foreign Origin -> 403 ({st})")
        st, _, _ = s.request("POST", init_body(), {"Origin": f"http://localhost:{s.port}"})
        check(st == 200, f"loopback Origin allowed ({st})")
        # Limits.
        st, _, _ = s.request("POST", None, sh, raw=b" " * (9 * 1024 * 1024))
        check(st == 413, f"oversized body -> 413 ({st})")
        # GET stream needs text/event-stream; DELETE ends the session.
        st, _, _ = s.request("GET", None, dict(sh, Accept="application/json"))
        check(st == 406, f"GET without text/event-stream -> 406 ({st})")
        st, _, _ = s.request("DELETE", None, sh)
        check(st == 200, f"DELETE -> 200 ({st})")
        st, _, _ = s.request("POST", ping, sh)
        check(st == 404, f"deleted session -> 404 ({st})")
    finally:
        s.stop()


def graceful_shutdown_checks():
    print("graceful shutdown", file=sys.stderr)
    s = Server()
    _, _, _, sid = s.initialize()
    sh = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"}
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": 1}}}
    out = {}

    def run_call():
        out["resp"] = s.request("POST", call, sh)

    t = threading.Thread(target=run_call)
    t.start()
    time.sleep(0.03)  # the call is running (it takes ~100 ms)
    rc = s.stop(expect_clean=True)
    t.join(timeout=20)
    st, _, body = out.get("resp", (0, {}, ""))
    msgs = sse_messages(body)
    check(st == 200 and msgs and msgs[-1].get("id") == 7 and "result" in msgs[-1],
          f"in-flight call finishes during SIGTERM shutdown ({st}, rc {rc}, {body[-200:]})")


def expiry_checks():
    print("session expiry", file=sys.stderr)
    s = Server("--session-idle-timeout", "1")
    try:
        _, _, _, sid = s.initialize()
        sh = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"}
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
        st, _, _ = s.request("POST", ping, sh)
        check(st == 200, "fresh session answers")
        for _ in range(3):  # each request counts as activity, so wait well past timeout + reap interval
            time.sleep(3)
            st, _, _ = s.request("POST", ping, sh)
            if st == 404:
                break
        check(st == 404, f"idle session expires -> 404 ({st})")
        check("expired" in open(s.log.name).read(), "expiry is logged")
    finally:
        s.stop()


def token_checks():
    print("static bearer token", file=sys.stderr)
    token = "tok-" + base64.urlsafe_b64encode(os.urandom(24)).decode()
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write(token + "\n")
    for args, env in (((), {"LAMBDA_MCP_AUTH_TOKEN": token}), (("--auth-token-file", f.name), {})):
        s = Server(*args, env=env)
        try:
            st, h, _, _ = s.initialize()
            check(st == 401 and h.get("www-authenticate", "").startswith("Bearer"), f"no token -> 401 ({st})")
            st, h, _, _ = s.initialize({"Authorization": "Bearer wrong-" + token})
            check(st == 401 and "invalid_token" in h.get("www-authenticate", ""), f"wrong token -> 401 ({st})")
            st, _, _, sid = s.initialize({"Authorization": "Bearer " + token})
            check(st == 200 and sid, f"right token -> 200 ({st})")
            check(token not in open(s.log.name).read(), "the token never appears in the log")
            st, _, _ = s.request("GET", path="/healthz")
            check(st == 200, "/healthz needs no token")
        finally:
            s.stop()
    os.unlink(f.name)


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """RSA keys made and used with the openssl CLI; the JWKS is served on port 0."""

    def __init__(self, workdir):
        self.dir = workdir
        self.jwks = {"keys": []}
        self.hits = 0
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                issuer.hits += 1
                body = json.dumps(issuer.jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"

    def new_key(self, kid):
        pem = os.path.join(self.dir, kid + ".pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pem],
                       check=True, capture_output=True)
        out = subprocess.run(["openssl", "rsa", "-in", pem, "-noout", "-modulus"], check=True,
                             capture_output=True, text=True).stdout
        n = bytes.fromhex(out.strip().split("=", 1)[1])
        return {"kid": kid, "pem": pem, "jwk": {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                                                "n": b64u(n), "e": b64u((65537).to_bytes(3, "big"))}}

    def sign(self, key, claims):
        header = b64u(json.dumps({"alg": "RS256", "typ": "JWT", "kid": key["kid"]}).encode())
        payload = b64u(json.dumps(claims).encode())
        signing_input = f"{header}.{payload}".encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key["pem"]], input=signing_input,
                             check=True, capture_output=True).stdout
        return f"{header}.{payload}.{b64u(sig)}"


def oauth_checks():
    print("OAuth resource server (JWT + JWKS)", file=sys.stderr)
    if not shutil.which("openssl"):
        fail_now("openssl CLI is missing (it comes with ca-certificates; run scripts/setup.sh)")
    work = tempfile.mkdtemp()
    iss = Issuer(work)
    k1 = iss.new_key("k1")
    iss.jwks = {"keys": [k1["jwk"]]}
    issuer, audience = "https://auth.example.test", "http://127.0.0.1/mcp"
    s = Server("--oauth-issuer", issuer, "--oauth-audience", audience, "--oauth-jwks-url", iss.url,
               "--oauth-required-scopes", "mcp:tools", "--oauth-jwks-refetch-interval", "1")
    try:
        now = int(time.time())
        good = {"iss": issuer, "aud": audience, "sub": "alice", "exp": now + 600, "iat": now, "scope": "mcp:tools"}
        auth = lambda tok: {"Authorization": "Bearer " + tok}  # noqa: E731

        st, h, _, _ = s.initialize()
        www = h.get("www-authenticate", "")
        meta_url = f"http://127.0.0.1:{s.port}/.well-known/oauth-protected-resource/mcp"
        check(st == 401 and f'resource_metadata="{meta_url}"' in www and 'scope="mcp:tools"' in www,
              f"missing token -> 401 naming the metadata ({st} {www})")
        st, _, body = s.request("GET", path="/.well-known/oauth-protected-resource/mcp")
        meta = json.loads(body) if st == 200 else {}
        check(meta.get("authorization_servers") == [issuer] and meta.get("resource", "").endswith("/mcp"),
              f"RFC 9728 metadata ({st} {body})")
        st, _, _ = s.request("GET", path="/.well-known/oauth-protected-resource")
        check(st == 200, "root metadata variant")

        st, _, _, sid = s.initialize(auth(iss.sign(k1, good)))
        check(st == 200 and sid, f"valid JWT -> 200 ({st})")
        check("oauth:alice" in open(s.log.name).read(), "principal recorded in the log")
        for name, claims, want in (
            ("expired", dict(good, exp=now - 3600), 401),
            ("wrong audience", dict(good, aud="https://other.example"), 401),
            ("wrong issuer", dict(good, iss="https://evil.example"), 401),
            ("wrong scope", dict(good, scope="openid"), 403),
        ):
            st, h, _, _ = s.initialize(auth(iss.sign(k1, claims)))
            check(st == want, f"{name} token -> {want} ({st})")
            if want == 403:
                check('error="insufficient_scope"' in h.get("www-authenticate", ""), "403 names insufficient_scope")
        st, _, _, _ = s.initialize(auth("not.a.jwt"))
        check(st == 401, f"garbage token -> 401 ({st})")
        forged = iss.new_key("k1")  # same kid, different key
        st, _, _, _ = s.initialize(auth(iss.sign(forged, good)))
        check(st == 401, f"token signed by a foreign key -> 401 ({st})")

        # Rotation: the issuer publishes k2; a token with the new kid triggers a (rate-limited) refetch.
        k2 = iss.new_key("k2")
        iss.jwks = {"keys": [k2["jwk"]]}
        time.sleep(1.1)
        hits = iss.hits
        st, _, _, _ = s.initialize(auth(iss.sign(k2, good)))
        check(st == 200, f"rotated key accepted after refetch ({st})")
        check(iss.hits == hits + 1, f"one JWKS refetch on rotation ({iss.hits - hits})")
    finally:
        s.stop()
        iss.httpd.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def remote_bind_checks():
    print("non-loopback bind", file=sys.stderr)
    p = subprocess.run([BIN, "serve", "--http", "0.0.0.0:0", "--conformance-fixtures"], capture_output=True,
                       text=True, timeout=10, stdin=subprocess.DEVNULL)
    check(p.returncode != 0 and "without authentication" in p.stderr,
          f"0.0.0.0 without auth is refused (rc {p.returncode})")


def main():
    if not BIN or not os.access(BIN, os.X_OK):
        fail_now(f"LMCP_BIN ({BIN}) is not an executable lambda-mcp")
    transport_checks()
    graceful_shutdown_checks()
    expiry_checks()
    token_checks()
    oauth_checks()
    remote_bind_checks()
    if FAILURES:
        fail_now(f"{len(FAILURES)} check(s) failed:\n  " + "\n  ".join(FAILURES))
    print("PASS")


if __name__ == "__main__":
    main()

"""Black-box: a Lambda tool that asks for input (MCP 2026-07-28 input-required results), over raw stdio, against
`lambda-mcp local` serving examples/template-input-required.yaml (the confirm-before-delete sample).

Stateless era: the first call is an input-required result with an opaque requestState; the retry with the
client's answer and that state reaches the function (it "deletes"); a tampered state, a declined answer, a
missing capability and arguments carrying the reserved "_mcp" behave as documented, and the endpoint's
invocation count shows which calls reached Lambda. 2025 era: an isError result naming 2026-07-28.
"""
import json
import os
import re
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from rawpipe import Server, check, fail  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
BIN = os.environ.get("LMCP_BIN", "")
FUNCTION = "mcp-confirm-delete"
TOOL = "confirm_delete"
MODERN = "2026-07-28"


def start_local():
    proc = subprocess.Popen([BIN, "local", "--template", os.path.join(ROOT, "examples", "template-input-required.yaml"),
                             "--port", "0", "--access-key-id", "AKIDLOCAL", "--secret-access-key", "local-secret"],
                            stdout=subprocess.PIPE, stderr=sys.stderr.buffer, text=True)
    for line in proc.stdout:
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            return proc, m.group(1)
    fail("lambda-mcp local did not report its address")


def invocations(url):
    with urllib.request.urlopen(url + "/__admin/stats", timeout=10) as r:
        stats = json.load(r)
    return stats["functions"].get(FUNCTION, {}).get("invocations", 0)


def meta(capabilities):
    return {"io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": capabilities,
            "io.modelcontextprotocol/clientInfo": {"name": "input-required-e2e", "version": "1"}}


def call(server, arguments, capabilities=None, **extra):
    capabilities = {"elicitation": {}} if capabilities is None else capabilities
    params = {"name": TOOL, "arguments": arguments, "_meta": meta(capabilities), **extra}
    return server.request("tools/call", params)


def text(response):
    check("result" in response, f"expected a result: {response}")
    return response["result"]["content"][0]["text"]


def main():
    local, url = start_local()
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="AKIDLOCAL", AWS_SECRET_ACCESS_KEY="local-secret",
               AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true", FUNCTION_PREFIX="mcp-",
               FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY="tool-input-schema-arn")
    try:
        server = Server(serve_args=[], env=env)
        # 1. The question: an input-required result whose state the client cannot read.
        asked = call(server, {"path": "a.txt"})
        check("result" in asked, f"first call: {asked}")
        result = asked["result"]
        check(result.get("resultType") == "input_required", f"resultType input_required: {result}")
        check(result["inputRequests"]["confirm"]["method"] == "elicitation/create", f"inputRequests: {result}")
        state = result.get("requestState")
        check(isinstance(state, str) and state, f"requestState is an opaque string: {result}")
        check(invocations(url) == 1, "the first call invoked the function once")

        # 2. The answer: the retry reaches the function with the responses and its own state.
        accept = {"confirm": {"action": "accept", "content": {"confirm": True}}}
        done = call(server, {"path": "a.txt"}, inputResponses=accept, requestState=state)
        check(json.loads(text(done)) == {"deleted": "a.txt"}, f"retry deletes: {done}")
        check(done["result"].get("resultType", "complete") == "complete", f"complete result: {done}")
        check(invocations(url) == 2, "the retry invoked the function")

        declined = call(server, {"path": "a.txt"}, inputResponses={"confirm": {"action": "decline"}},
                        requestState=state)
        check(json.loads(text(declined))["reason"] == "not confirmed (decline)", f"declined: {declined}")
        check(invocations(url) == 3, "the declined retry invoked the function")

        # 3. A tampered state, or one sealed for other arguments, never reaches the function.
        for tampered, arguments in ((state[:-2] + ("AA" if not state.endswith("AA") else "BB"), {"path": "a.txt"}),
                                    (state, {"path": "b.txt"})):
            r = call(server, arguments, inputResponses=accept, requestState=tampered)
            check("error" in r, f"tampered or foreign state refused with a JSON-RPC error: {r}")
        check(invocations(url) == 3, "no invoke for a tampered state")

        # 4. A client without the elicitation capability cannot be asked: -32021, the function ran once.
        r = call(server, {"path": "c.txt"}, capabilities={})
        check(r.get("error", {}).get("code") == -32021, f"undeclared elicitation: {r}")

        # 5. "_mcp" is reserved: a forged state in the arguments is refused without invoking.
        before = invocations(url)
        forged = call(server, {"path": "a.txt", "_mcp": {"requestState": {"action": "delete", "path": "a.txt"}}})
        check(forged["result"].get("isError") is True and "reserved" in text(forged), f"forged _mcp: {forged}")
        check(invocations(url) == before, "no invoke for arguments carrying _mcp")
        code, _, _ = server.close_and_wait()
        check(code == 0, f"exit code {code}")

        # 6. The 2025 era: the client is told the tool needs 2026-07-28.
        old = Server(serve_args=[], env=env)
        old.initialize(capabilities={"elicitation": {}})
        r = old.request("tools/call", {"name": TOOL, "arguments": {"path": "a.txt"}})
        check(r["result"].get("isError") is True and MODERN in text(r), f"2025 era: {r}")
        old.close_and_wait()
    finally:
        local.terminate()
        local.wait(10)
    print("PASS: input-required Lambda tool")


if __name__ == "__main__":
    main()

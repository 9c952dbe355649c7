#!/usr/bin/env python3
"""Black-box: `lambda-mcp local` with the samples (plus 120 synthetic functions) and lambda-mcp's own
discovery (`lambda-mcp tools --json`) against it: prefix and tag selection, registry schemas, paging, and a
wrongly signed run. Reads the listening line the way scripts do. Fails loudly when something is missing."""
import json
import os
import subprocess
import sys
import time
import urllib.request

BIN = os.environ.get("LMCP_BIN") or sys.exit("FAIL: LMCP_BIN is not set")
SRC = os.environ.get("LMCP_SOURCE_DIR") or sys.exit("FAIL: LMCP_SOURCE_DIR is not set")
KEY, SECRET = "AKIDE2E", "e2e-secret"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def start_local():
    proc = subprocess.Popen([BIN, "local", "--template", os.path.join(SRC, "examples/template.yaml"),
                             "--access-key-id", KEY, "--secret-access-key", SECRET,
                             "--synthetic-functions", "120", "--synthetic-prefix", "zz-synth-",
                             "--synthetic-tag", "mcp=enabled"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    prefix = "lambda-mcp local listening on "
    if not line.startswith(prefix):
        proc.kill()
        sys.exit("FAIL: no listening line, got %r; stderr: %s" % (line, proc.stderr.read()))
    return proc, line[len(prefix):].strip()


def tools(url, secret=SECRET, **selection):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
           "XDG_STATE_HOME": os.environ.get("XDG_STATE_HOME", "/tmp"),
           "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": secret,
           "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
           "FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY": "tool-input-schema-arn"}
    env.update(selection)
    p = subprocess.run([BIN, "tools", "--json"], env=env, capture_output=True, text=True, timeout=120)
    try:
        return p.returncode, json.loads(p.stdout) if p.stdout.strip() else [], p.stderr
    except ValueError:
        return p.returncode, [], p.stdout + p.stderr


def stats(url):
    return json.load(urllib.request.urlopen(url + "/__admin/stats", timeout=5))


def main():
    proc, url = start_local()
    try:
        check(url.startswith("http://127.0.0.1:"), "listening line names a loopback URL: " + url)
        rc, out, err = tools(url, FUNCTION_PREFIX="mcp-")
        names = sorted(t["function"] for t in out)
        check(rc == 0, "tools with FUNCTION_PREFIX=mcp- exits 0 (%s)" % err.strip()[-300:])
        check(names == ["mcp-create-ticket", "mcp-customer-lookup", "mcp-echo", "mcp-long-job", "mcp-notify",
                        "mcp-render-chart", "mcp-slow-report"], "prefix selects the seven samples: %s" % names)
        by_fn = {t["function"]: t for t in out}
        lookup = by_fn.get("mcp-customer-lookup", {})
        props = json.dumps(lookup.get("inputSchema", {})) + lookup.get("description", "")
        check("customerId" in props, "the registry schema reaches the customer lookup tool")
        check("internal-billing-job" not in names, "the untagged internal function stays hidden")
        check(by_fn.get("mcp-long-job", {}).get("taskSupport") == "optional",
              "the 120-second long job is task-optional: %s" % by_fn.get("mcp-long-job"))
        check(by_fn.get("mcp-notify", {}).get("invocationType") == "Event",
              "the notify tool is invoked with InvocationType=Event: %s" % by_fn.get("mcp-notify"))

        before = stats(url)["operations"].get("ListFunctions", 0)
        rc, out, err = tools(url, FUNCTION_TAG_KEY="mcp", FUNCTION_TAG_VALUE="enabled")
        check(rc == 0, "tools by tag exits 0 (%s)" % err.strip()[-300:])
        check(len(out) == 127, "tag selection finds 7 samples + 120 synthetic functions: %d" % len(out))
        after = stats(url)["operations"].get("ListFunctions", 0)
        check(after - before in (0, 3), "discovery pages ListFunctions in 3 calls of 50 or uses tagging (%d)" % (after - before))

        s0 = stats(url)["auth_failures"]
        rc, out, err = tools(url, secret="wrong", FUNCTION_PREFIX="mcp-")
        check(len(out) == 0, "a wrong secret discovers nothing")
        check(stats(url)["auth_failures"] > s0, "the endpoint counted the rejected signatures")
        check("InvalidSignatureException" in err or rc != 0, "the failure names the signature error")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            failures.append("lambda-mcp local did not stop on SIGTERM")
    check(proc.returncode == 0, "lambda-mcp local exits 0 on SIGTERM (%s)" % proc.returncode)
    if failures:
        sys.exit("FAILED: %d check(s)" % len(failures))
    print("all checks passed")


if __name__ == "__main__":
    main()

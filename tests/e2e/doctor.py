"""`lambda-mcp doctor` against `lambda-mcp local` (examples/template.yaml), one row per situation: each
asserts the exit status and the finding lines (check, detail and fix) a user would read.

The local endpoint checks every signature and answers STS GetCallerIdentity; a permission is removed with its
`--deny` flag (what the README shows) or a deny rule put through /__admin/faults."""
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawpipe import check, fail  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.environ["LMCP_BIN"]
KEY, SECRET = "AKIDLOCALDOCTOR", "doctor-secret"
USER = "arn:aws:iam::123456789012:user/lambda-mcp-local"


def start_local(*extra):
    proc = subprocess.Popen([BIN, "local", "--template", os.path.join(ROOT, "examples", "template.yaml"),
                             "--port", "0", "--access-key-id", KEY, "--secret-access-key", SECRET, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            return proc, m.group(1)
    fail("lambda-mcp local did not report its address")


def faults(url, method, rules=None):
    data = json.dumps(rules).encode() if rules is not None else None
    req = urllib.request.Request(url + "/__admin/faults", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()


home = tempfile.mkdtemp(prefix="lmcp-doctor-")
os.makedirs(os.path.join(home, ".aws"))
with open(os.path.join(home, ".aws", "config"), "w") as f:
    f.write("[profile dev]\nregion = us-east-1\n")
with open(os.path.join(home, ".aws", "credentials"), "w") as f:
    f.write(f"[dev]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n")


def doctor(url, **extra):
    env = {"PATH": os.environ["PATH"], "HOME": home, "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_ENDPOINT_URL": url, "FUNCTION_PREFIX": "mcp-", "AWS_MAX_ATTEMPTS": "1",
           "LAMBDA_MCP_AUDIT_LOG": "off", "XDG_STATE_HOME": home}
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    r = subprocess.run([BIN, "doctor"], env=env, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout


def row(label, result, status, *lines):
    code, out = result
    check(code == status, f"{label}: exit {code}, expected {status}\n{out}")
    for line in lines:
        check(re.search(line, out, re.M), f"{label}: no line matching {line!r} in\n{out}")
    print(f"ok   {label}")
    return out


local, url = start_local()
denied, denied_url = start_local("--deny", "lambda:InvokeFunction@mcp-echo")
try:
    healthy = row("healthy", doctor(url), 0,
                  r"^  ok    region       us-east-1 \(AWS_REGION\)$",
                  r"^  ok    credentials  environment, access key \.\.\.CTOR$",
                  r"^  ok    identity     " + re.escape(USER) + r" \(account 123456789012\)$",
                  r"^  ok    endpoint     " + re.escape(url) + " answers$",
                  r"^  ok    list         lambda:ListFunctions allowed: 8 functions$",
                  r"^  ok    selection    FUNCTION_PREFIX \"mcp-\" selects 7 of 8 functions: create_ticket, ",
                  r"^  ok    invoke       lambda:InvokeFunction allowed on all 7 functions \(dry run",
                  r"^No problem found\.$")
    check(SECRET not in healthy, "the secret is never printed")

    arn = "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo"
    row("one permission removed (local --deny lambda:InvokeFunction@mcp-echo)", doctor(denied_url), 1,
        r"^  FAIL  invoke       lambda:InvokeFunction denied on 1 of 7 functions: User: " + re.escape(USER) +
        r" is not authorized to perform: lambda:InvokeFunction on resource: " + re.escape(arn),
        r"^ +fix: allow lambda:InvokeFunction on " + re.escape(arn) + " for " + re.escape(USER) + "$",
        r"^1 problem\(s\) found\.$")

    faults(url, "PUT", [{"operation": "ListFunctions", "type": "deny"}])
    row("ListFunctions denied", doctor(url), 1,
        r"^  FAIL  list         An error occurred \(AccessDeniedException\) when calling the ListFunctions",
        r"^ +fix: allow lambda:ListFunctions \(Resource \"\*\"\) for " + re.escape(USER) + "$")
    faults(url, "DELETE")

    row("prefix in the wrong case", doctor(url, FUNCTION_PREFIX="MCP-"), 1,
        r"^  FAIL  selection    FUNCTION_PREFIX \"MCP-\": none of the 8 functions listed matches FUNCTION_PREFIX "
        r"\"MCP-\" \(case-sensitive\)\. 7 functions start with it in another case\.$",
        r"^ +fix: make the name filter match names from the list below \(case matters\)$",
        r"^  note  selection    functions listed: internal-billing-job, mcp-create-ticket, ")
    row("no selection", doctor(url, FUNCTION_PREFIX=None), 1,
        r"^  FAIL  selection    no selection: No functions selected",
        r"^ +fix: set FUNCTION_PREFIX, FUNCTION_LIST or FUNCTION_TAG_KEY\+FUNCTION_TAG_VALUE")
    row("wrong secret", doctor(url, AWS_SECRET_ACCESS_KEY="not-the-secret"), 1,
        r"^  FAIL  identity     .*signature",
        r"^ +fix: AWS refused the credentials: check the secret key \(and session token\) that go with access "
        r"key \.\.\.CTOR")
    row("endpoint down", doctor("http://127.0.0.1:9"), 1,
        r"^  FAIL  endpoint     http://127\.0\.0\.1:9 did not answer: .*Connection refused",
        r"^ +fix: check the network, AWS_REGION and AWS_ENDPOINT_URL")
    # AWS_PROFILE is explicit (like `aws --profile`, and the reference server): it beats environment keys, which
    # here are wrong, so the call succeeding proves the profile's keys were used.
    row("AWS_PROFILE beats environment keys", doctor(url, AWS_PROFILE="dev", AWS_ACCESS_KEY_ID="AKIDWRONGKEY",
                                                     AWS_SECRET_ACCESS_KEY="wrong"), 0,
        r"^  ok    credentials  shared credentials file, access key \.\.\.CTOR$",
        r"^  note  credentials  AWS_PROFILE=dev is used; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the "
        r"environment are ignored",
        r"^ +fix: to use the environment's keys, unset AWS_PROFILE$")
    row("the profile's region", doctor(url, AWS_PROFILE="dev", AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
                                       AWS_REGION=None), 0,
        r"^  ok    region       us-east-1 \(profile dev\)$",
        r"^  ok    credentials  shared credentials file, access key \.\.\.CTOR$")
    row("unknown profile", doctor(url, AWS_PROFILE="nope"), 1,
        r"^  FAIL  session      The config profile \(nope\) could not be found$",
        r"^ +fix: add the profile to ~/.aws/config")
    row("no region", doctor(url, AWS_REGION=None), 1,
        r"^  FAIL  session      no AWS region",
        r"^ +fix: set AWS_REGION")
finally:
    for p in (local, denied):
        p.terminate()
        p.wait(timeout=30)
print("PASS")

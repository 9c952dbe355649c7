#!/usr/bin/env python3
"""Starts moto_server on a free loopback port and seeds the five functions of reference-measurements.md.

Usage: moto_fixture.py <workdir>   — prints "PORT <n>" once seeded, then waits until stdin closes or SIGTERM,
and stops moto. Writes <workdir>/aws/{config,credentials} with a dummy [default] profile. Fails loudly (exit 1)
when moto_server or boto3 is missing."""
import io, json, os, shutil, signal, socket, subprocess, sys, time, urllib.request, zipfile

def die(msg):
    print("moto_fixture: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)

FUNCTIONS = [  # name, description, tags — in ListFunctions order
    ("mcp-echo", "Echo the event back (moto simple backend)", {"mcp": "enabled", "team": "core"}),
    ("mcp-customer-info", "Customer status from { 'customerId' }", {"team": "crm"}),
    ("customer-id-from-email", "Get customer ID from { 'email' }", {"mcp": "enabled"}),
    ("report-generator", "", {}),
    ("2fa-verify", "Verify a 2FA code", {"mcp": "disabled"}),
]

def main():
    workdir = sys.argv[1]
    if shutil.which("moto_server") is None:
        die("moto_server is not on PATH (pip install 'moto[server]==5.2.1')")
    try:
        import boto3  # noqa: F401
    except ImportError:
        die("boto3 is missing (it comes with moto)")
    import boto3
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    log = open(os.path.join(workdir, "moto.log"), "w")
    proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    url = "http://127.0.0.1:%d" % port
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/moto-api/reset", data=b"", timeout=1)
            break
        except Exception:
            if proc.poll() is not None:
                die("moto_server exited early; see " + log.name)
            time.sleep(0.05)
    else:
        die("moto_server did not come up")
    req = urllib.request.Request(url + "/moto-api/config", data=json.dumps({"lambda": {"use_docker": False}}).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5)

    aws = os.path.join(workdir, "aws")
    os.makedirs(aws, exist_ok=True)
    with open(os.path.join(aws, "config"), "w") as f:
        f.write("[default]\nregion = us-east-1\n")
    with open(os.path.join(aws, "credentials"), "w") as f:
        f.write("[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n")

    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    iam = boto3.client("iam", **kw)
    role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return event\n")
    lam = boto3.client("lambda", **kw)
    for name, desc, tags in FUNCTIONS:
        args = dict(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                    Code={"ZipFile": buf.getvalue()}, Description=desc, Timeout=3, MemorySize=128)
        if tags:
            args["Tags"] = tags
        lam.create_function(**args)
    print("PORT %d" % port, flush=True)

    def stop(*_):
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    sys.stdin.read()
    stop()

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The Dockerfile, checked without a Docker daemon: the rules a linter like hadolint applies that matter here
(pinned base images, multi-stage, apt hygiene, a non-root user, exec-form entrypoint, a health check), and the
steps that can run outside an image: the build stage's scripts exist and accept their options, and the
HEALTHCHECK command, pointed at a real `lambda-mcp serve --http`, passes (and fails when nothing listens)."""
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import json

SOURCE = os.environ["LMCP_SOURCE_DIR"]
BIN = os.environ["LMCP_BIN"]
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def instructions(text):
    """(KEYWORD, argument) pairs, continuation lines joined, comments dropped."""
    out, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            keyword, _, arg = current.strip().partition(" ")
            out.append((keyword.upper(), arg.strip()))
            current = ""
    return out


steps = instructions(open(os.path.join(SOURCE, "Dockerfile")).read())
stages = []
for keyword, arg in steps:
    if keyword == "FROM":
        stages.append({"from": arg, "steps": []})
    else:
        check(bool(stages), f"{keyword} before any FROM")
        stages[-1]["steps"].append((keyword, arg))

check(len(stages) >= 2, "multi-stage: a build stage and a runtime stage")
names = []
for stage in stages:
    image, _, alias = stage["from"].partition(" AS ")
    check(":" in image and not image.endswith(":latest"), f"FROM {image}: pin a tag, not latest")
    names.append(alias.strip())
final = stages[-1]["steps"]
users = [arg for k, arg in final if k == "USER"]
check(users and users[-1].split(":")[0] not in ("root", "0"), "the runtime stage runs as a non-root USER")
health = [arg for k, arg in final if k == "HEALTHCHECK"]
check(len(health) == 1 and "/healthz" in health[0], "one HEALTHCHECK on /healthz")
entry = [arg for k, arg in final if k == "ENTRYPOINT"]
check(entry and entry[0].startswith("["), "ENTRYPOINT in exec form")
for stage in stages:
    for keyword, arg in stage["steps"]:
        if keyword == "COPY" and "--from=" in arg:
            source = re.search(r"--from=(\S+)", arg).group(1)
            check(source in names, f"COPY --from={source}: no such stage")
        if keyword == "RUN" and "apt-get install" in arg:
            check("--no-install-recommends" in arg, f"apt-get install without --no-install-recommends: {arg}")
            check("-y" in arg.split(), f"apt-get install without -y: {arg}")
            check("rm -rf /var/lib/apt/lists" in arg, f"apt lists left in the layer: {arg}")
        if keyword == "RUN":
            for script in re.findall(r"scripts/[\w.]+", arg):
                check(os.access(os.path.join(SOURCE, script), os.X_OK), f"RUN uses {script}, not executable")

# The build stage's set-up script accepts --package (it installs nothing when all is present).
setup = subprocess.run([os.path.join(SOURCE, "scripts/setup.sh"), "--package"], env={**os.environ, "SKIP_NPM": "1"},
                       capture_output=True, text=True, timeout=600)
check(setup.returncode == 0, f"scripts/setup.sh --package failed: {setup.stderr[-500:]}")

# The HEALTHCHECK command itself, with its port pointed at a live server.
exec_form = json.loads(re.search(r"CMD (\[.*\])", health[0]).group(1)) if health else []


def probe(port):
    argv = [a.replace("127.0.0.1/8080", f"127.0.0.1/{port}") for a in exec_form]
    return subprocess.run(argv, capture_output=True, timeout=10).returncode


with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    free_port = s.getsockname()[1]
check(exec_form and probe(free_port) != 0, "the health check passes when nothing listens")
env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "AWS_REGION": "us-east-1",
       "AWS_ACCESS_KEY_ID": "AKIDCHECK", "AWS_SECRET_ACCESS_KEY": "check-secret", "FUNCTION_PREFIX": "mcp-",
       "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port}", "AWS_EC2_METADATA_DISABLED": "true",
       "LAMBDA_MCP_AUDIT_LOG": "off", "XDG_STATE_HOME": os.environ.get("XDG_STATE_HOME", "/tmp")}
server = subprocess.Popen([BIN, "serve", "--http", "127.0.0.1:0"], env=env, stderr=subprocess.PIPE, text=True)
try:
    port = None
    deadline = time.time() + 30
    while port is None and time.time() < deadline:
        line = server.stderr.readline()
        if not line:
            break
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        port = int(m.group(1)) if m else None
    check(port is not None, "lambda-mcp serve --http did not start")
    if port is not None and exec_form:
        check(probe(port) == 0, "the HEALTHCHECK command fails against a running serve --http")
finally:
    server.terminate()
    server.wait(timeout=30)

for p in problems:
    print("FAIL:", p, file=sys.stderr)
print(f"Dockerfile: {len(stages)} stages, {len(steps)} instructions, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)

// The gateway end to end (issue 16), over Streamable HTTP with the pinned TypeScript SDK: examples/gateway.yaml
// (two targets on `lambda-mcp local`, a policy) served to three principals — two named static tokens and an
// OAuth JWT (RS256, JWKS served here on port 0) — who each see a different tool list. A denied call and an
// argument-constraint violation are refused with zero Invoke requests at the local endpoint (its stats), and
// the audit log records principal, rule and decision for each call. SIGHUP applies a changed file and keeps
// the old config when the new one is bad. Also: `check-config` on the example, and `tools --principal`.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { BIN, assert, assertEqual } from '../client/common.mjs';
import { ROOT, connectWithToken, invocations, startHttpServe, startLocal, stats, writeTokens } from './local.mjs';

const ISSUER = 'https://issuer.example.test';
const AUDIENCE = 'https://mcp.example.test/mcp';

// An OAuth issuer: an RSA key and its JWKS on a loopback port.
async function startIssuer() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const b64u = (b) => Buffer.from(b).toString('base64url');
  const token = (claims) => {
    const now = Math.floor(Date.now() / 1000);
    const head = b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k1' }));
    const body = b64u(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600, ...claims }));
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), privateKey);
    return `${head}.${body}.${b64u(sig)}`;
  };
  return { url: `http://127.0.0.1:${server.address().port}/jwks.json`, token, close: () => server.close() };
}

const connect = (url, token) => connectWithToken(url, token, 'gateway-e2e');

const names = async (client) => (await client.listTools()).tools.map((t) => t.name).sort();
const text = (result) => result.content.map((c) => c.text ?? '').join('\n');

// The audit lines (JSON objects on the server's stderr).
function auditLines(log) {
  return log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lmcp-gateway-'));
  cpSync(path.join(ROOT, 'examples', 'gateway.yaml'), path.join(dir, 'gateway.yaml'));
  mkdirSync(path.join(dir, 'tokens'));
  const tokens = writeTokens(path.join(dir, 'tokens'), ['alice', 'bob']);
  const config = path.join(dir, 'gateway.yaml');

  const check = spawnSync(BIN, ['check-config', config], { encoding: 'utf8' });
  assertEqual(check.status, 0, `check-config on the example: ${check.stderr}`);
  assert(check.stdout.includes('policy: 5 rule(s)'), `check-config summary: ${check.stdout}`);

  const local = await startLocal();
  const issuer = await startIssuer();
  const env = {
    PATH: process.env.PATH, HOME: process.env.HOME, XDG_STATE_HOME: dir,
    AWS_ENDPOINT_URL: local.url, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const server = await startHttpServe(env, ['--config', config, '--oauth-issuer', ISSUER, '--oauth-audience',
    AUDIENCE, '--oauth-jwks-url', issuer.url]);
  try {
    const alice = await connect(server.url, tokens.alice);
    const bob = await connect(server.url, tokens.bob);
    const sre = await connect(server.url, issuer.token({ sub: 'carol', groups: ['sre'] }));

    // Three principals, three lists; the destructive billing job is nobody's over HTTP.
    const support = ['support_create_ticket', 'support_customer_lookup', 'support_echo', 'support_long_job',
      'support_notify', 'support_render_chart', 'support_slow_report'];
    assertEqual(await names(alice), support, 'token:alice sees the support target');
    assertEqual(await names(bob), ['ops_mcp_echo'], 'token:bob sees one ops tool');
    assertEqual(await names(sre), [...support, 'ops_mcp_echo'].sort(), 'oauth:carol (group sre) sees both');
    const lookup = (await alice.listTools()).tools.find((t) => t.name === 'support_customer_lookup');
    assertEqual(lookup.annotations?.readOnlyHint, true, 'the config gives the lookup readOnlyHint');

    // A denied call reads like an unknown tool, and invokes nothing.
    const before = await stats(local.url);
    let denied = '';
    try {
      await bob.callTool({ name: 'support_echo', arguments: { hello: 1 } });
    } catch (e) {
      denied = String(e.message);
    }
    assert(/unknown tool/i.test(denied), `bob calling support_echo is refused as unknown: ${denied}`);
    let unknown = '';
    try {
      await bob.callTool({ name: 'no_such_tool', arguments: {} });
    } catch (e) {
      unknown = String(e.message);
    }
    assertEqual(denied.replace('support_echo', 'X'), unknown.replace('no_such_tool', 'X'),
      'a hidden tool and a missing one get the same answer');

    // The argument constraint of bob's rule.
    const tooMuch = await bob.callTool({ name: 'ops_mcp_echo', arguments: { amount: 1000 } });
    assert(tooMuch.isError, 'amount 1000 is refused');
    assert(/amount/.test(text(tooMuch)) && /500/.test(text(tooMuch)), `names the constraint: ${text(tooMuch)}`);
    const after = await stats(local.url);
    assertEqual(invocations(after, 'mcp-echo'), invocations(before, 'mcp-echo'), 'no Invoke for refused calls');

    const fine = await bob.callTool({ name: 'ops_mcp_echo', arguments: { amount: 5 } });
    assert(!fine.isError, `amount 5 is allowed: ${text(fine)}`);
    const ok = await alice.callTool({ name: 'support_echo', arguments: { hello: 'world' } });
    assert(!ok.isError, `alice calls support_echo: ${text(ok)}`);
    assertEqual(invocations(await stats(local.url), 'mcp-echo'), invocations(before, 'mcp-echo') + 2,
      'the two allowed calls invoked');

    // The audit log: principal, rule and decision for each call.
    const audit = auditLines(server.log());
    const find = (principal, tool) => audit.filter((l) => l.principal === principal && l.tool === tool);
    const deniedLine = find('token:bob', 'support_echo')[0];
    assert(deniedLine && deniedLine.decision === 'deny', `denied call audited: ${JSON.stringify(deniedLine)}`);
    const constraint = find('token:bob', 'ops_mcp_echo');
    assertEqual(constraint.map((l) => [l.decision, l.rule]),
      [['deny', 'ops-echo-small-amounts'], ['allow', 'ops-echo-small-amounts']], 'bob\'s calls name the rule');
    assert(constraint[0].outcome !== 'ok' && constraint[1].outcome === 'ok', 'outcomes of bob\'s two calls');
    assertEqual(find('token:alice', 'support_echo').map((l) => [l.decision, l.rule]),
      [['allow', 'support-team']], 'alice\'s call names her rule');

    // SIGHUP: a valid new file applies to the next request; a bad one is logged and the old config stays.
    const original = readFileSync(config, 'utf8');
    writeFileSync(config, original.replace('tools: {names: [ops_mcp_echo]}',
      'tools: {names: [ops_mcp_echo, support_echo]}'));
    server.child.kill('SIGHUP');
    const widened = ['ops_mcp_echo', 'support_echo'];
    for (let i = 0; i < 100 && JSON.stringify(await names(bob)) !== JSON.stringify(widened); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEqual(await names(bob), widened, 'after SIGHUP bob also sees support_echo');
    writeFileSync(config, `${original}\n  - id: broken\n    effect: maybe\n`);
    server.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !/reload rejected/.test(server.log()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert(/reload rejected/.test(server.log()) && /effect: 'maybe'/.test(server.log()),
      `a bad file is rejected with its problems: ${server.log().slice(-2000)}`);
    assertEqual(await names(bob), widened, 'the previous config stays');
    writeFileSync(config, original);
    for (const client of [alice, bob, sre]) {
      await client.close();
    }

    // One principal's view from the command line.
    const view = spawnSync(BIN, ['--log-level', 'error', 'tools', '--config', config, '--principal', 'token:bob'],
      { env, encoding: 'utf8' });
    assertEqual(view.status, 0, `tools --principal: ${view.stderr}`);
    const listed = view.stdout.split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter(Boolean);
    assertEqual(listed, ['ops_mcp_echo'], 'tools --principal token:bob');
    console.log('gateway e2e: ok');
  } finally {
    await server.stop();
    issuer.close();
    local.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`FAIL: ${e.stack || e}`);
  process.exit(1);
});

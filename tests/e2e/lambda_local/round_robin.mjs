// Black-box, "stateless means stateless": two `lambda-mcp serve --http` replicas sharing one Lambda endpoint
// (`lambda-mcp local`) behind haproxy with `balance roundrobin` and no stickiness (no cookie, no
// prefer-last-server), so consecutive requests of one client go to alternate replicas. A 2026-07-28 client
// (SDK v2, pinned) connects, lists and calls CALLS times sequentially and CALLS times concurrently without a
// single error; haproxy's stats and each replica's audit lines prove both replicas served. A 2025-era client
// (SDK v1.32.2, initialize + Mcp-Session-Id) behind the same proxy works too: its session id is a ticket
// sealed under the shared deployment key, which the other replica resumes; with replicas that do not share
// the key it is refused. Then an input-required Lambda tool behind the same kind of proxy: each call's
// question and answer go to different replicas, which works when they share the deployment key and is
// refused when they do not. The test starts and stops its own haproxy.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client as V1Client, StreamableHTTPClientTransport as V1HttpTransport, assert, assertEqual, run }
  from '../client/common.mjs';
import { Client, MODES, StreamableHTTPClientTransport, connectModern, modernClient } from '../client/modern.mjs';
import { invocations, lambdaEnv, startHttpServe, startLocal, stats as localStats } from './local.mjs';

const CALLS = 24;  // sequential calls, then as many at once
const HAPROXY = findHaproxy();  // before anything is started

function findHaproxy() {
  for (const dir of [...(process.env.PATH || '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (dir && existsSync(path.join(dir, 'haproxy'))) {
      return path.join(dir, 'haproxy');
    }
  }
  console.error('FAIL: haproxy is not installed; run scripts/setup.sh (or: apt-get install haproxy)');
  process.exit(1);
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Starts haproxy in the foreground with a generated config: one frontend, the replicas round-robin without
// any stickiness, and a stats page; resolves to { url, statsUrl, stop() }.
async function startHaproxy(replicas) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lmcp-rr-'));
  const [port, statsPort] = [await freePort(), await freePort()];
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, [
    'global', '  maxconn 512',
    'defaults', '  mode http', '  timeout connect 2s', '  timeout client 30s', '  timeout server 30s',
    'frontend mcp', `  bind 127.0.0.1:${port}`, '  default_backend replicas',
    'backend replicas', '  balance roundrobin',
    ...replicas.map((r, i) => `  server r${i} ${r.url.host}`),
    'frontend stats', `  bind 127.0.0.1:${statsPort}`, '  stats enable', '  stats uri /stats',
    '',
  ].join('\n'));
  const check = spawnSync(HAPROXY, ['-c', '-q', '-f', config], { encoding: 'utf8' });
  assert(check.status === 0, `haproxy config check: ${check.stderr}`);
  const proc = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve([code, sig])));
  const statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;
  for (let i = 0; ; i++) {
    const up = await fetch(statsUrl).then((r) => r.ok, () => false);
    if (up) {
      break;
    }
    assert(i < 100 && proc.exitCode === null, `haproxy did not come up:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`), statsUrl, log: () => log,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Per-replica counters from haproxy's CSV stats: requests forwarded (stot) and 4xx/5xx answers.
async function replicaStats(statsUrl) {
  const csv = (await (await fetch(statsUrl)).text()).trim().split('\n');
  const header = csv[0].replace(/^# /, '').split(',');
  const col = (row, name) => Number(row[header.indexOf(name)] || 0);
  const out = {};
  for (const line of csv.slice(1)) {
    const row = line.split(',');
    if (row[0] === 'replicas' && /^r\d$/.test(row[1])) {
      out[row[1]] = { requests: col(row, 'stot'), errors: col(row, 'hrsp_4xx') + col(row, 'hrsp_5xx') };
    }
  }
  return out;
}

// The replica's audit records (one JSON line per tools/call on its stderr).
const auditRecords = (replica) => replica.log().split('\n')
  .filter((l) => l.startsWith('{') && l.includes('"event":"tools/call"')).map((l) => JSON.parse(l));
const auditedCalls = (replica) => auditRecords(replica).length;

async function modernClientThroughProxy(proxy) {
  const transport = new StreamableHTTPClientTransport(proxy.url);
  const client = modernClient('pinned');
  await connectModern(client, transport, 'pinned behind round-robin');
  // A list before every other call, so that each replica gets both lists and calls (ttlMs would let the
  // client answer a list from its cache: bypass it).
  for (let i = 0; i < CALLS; i++) {
    if (i % 2 === 0) {
      const { tools } = await client.listTools(undefined, { cacheMode: 'bypass' });
      assert(tools.some((t) => t.name === 'echo'), `list ${i}: ${tools.map((t) => t.name)}`);
    }
    const r = await client.callTool({ name: 'echo', arguments: { i } });
    assert(!r.isError, `call ${i}: ${JSON.stringify(r)}`);
    assertEqual(JSON.parse(r.content[0].text).echo, { i }, `call ${i} echoes its own arguments`);
  }
  const results = await Promise.all(Array.from({ length: CALLS },
    (_, i) => client.callTool({ name: 'customer_lookup', arguments: { customerId: `C00${1 + (i % 3)}` } })));
  results.forEach((r, i) => assert(!r.isError && r.content[0].text.includes(`C00${1 + (i % 3)}`),
    `concurrent call ${i}: ${JSON.stringify(r)}`));
  assertEqual(transport.sessionId, undefined, 'no session id through the proxy');
  await client.close();
  console.log(`ok   2026-07-28 client: ${CALLS / 2} lists + ${CALLS} calls in turn, ${CALLS} calls at once, no error`);
}

// The 2025-era client: the replica that answers initialize issues a session ticket; the next request goes to
// the other replica, which resumes the session from it when the replicas share the deployment key.
async function legacyClientThroughProxy(proxy) {
  const client = new V1Client({ name: 'lmcp-e2e-v1', version: '1.32.2' });
  const transport = new V1HttpTransport(proxy.url);
  await client.connect(transport, { timeout: 10_000 });
  for (let i = 0; i < CALLS; i++) {
    const r = await client.callTool({ name: 'echo', arguments: { i } });
    assertEqual(JSON.parse(r.content[0].text).echo, { i }, `2025-era call ${i} echoes its own arguments`);
  }
  const { tools } = await client.listTools();
  assert(tools.some((t) => t.name === 'echo'), '2025-era tools/list');
  assert(transport.sessionId && transport.sessionId.startsWith('lmcp1.'), `a ticket: ${transport.sessionId}`);
  await client.close();
  console.log(`ok   2025-era client behind round-robin: ${CALLS} calls and a list in one session`);
}

// Without a shared key the other replica cannot open the ticket (404), so connecting or a call fails.
async function legacyClientRefusedWithoutSharedKey({ proxy }) {
  const client = new V1Client({ name: 'lmcp-e2e-v1', version: '1.32.2' });
  let refused;
  try {
    await client.connect(new V1HttpTransport(proxy.url), { timeout: 10_000 });
    for (let i = 0; i < 4; i++) {
      await client.callTool({ name: 'echo', arguments: { i } });
    }
  } catch (e) {
    refused = e;
  }
  await client.close().catch(() => {});
  assert(refused && /404|session/i.test(String(refused)),
    `the 2025-era client is refused when the replicas do not share a key (got ${refused})`);
  console.log(`ok   2025-era client refused by replicas with different keys: ${String(refused).slice(0, 120)}`);
}

// The 2026-07-28 client behind the proxy calls the confirm-before-delete sample (examples/
// template-input-required.yaml): the input-required result comes from one replica, the SDK answers the
// elicitation and retries, and the retry goes to the other replica, which opens the state the first sealed
// (replicas that share the audit key share the state key) and invokes the function with the answer.
async function elicitingClient(cluster, asked) {
  const client = new Client({ name: 'lmcp-e2e-v2', version: '2.4.0' },
    { versionNegotiation: { mode: MODES.pinned }, capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push(request.params.message);
    return asked.length === 1 ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
  });
  await connectModern(client, new StreamableHTTPClientTransport(cluster.proxy.url), 'pinned, input required');
  return client;
}

async function inputRequiredAcrossReplicas(cluster) {
  const asked = [];
  const client = await elicitingClient(cluster, asked);
  const before = replicaStatsTotal(await replicaStats(cluster.proxy.statsUrl));
  const done = await client.callTool({ name: 'confirm_delete', arguments: { path: 'a.txt' } });
  assertEqual(JSON.parse(done.content[0].text), { deleted: 'a.txt' }, 'confirmed: the retry deleted');
  const declined = await client.callTool({ name: 'confirm_delete', arguments: { path: 'b.txt' } });
  assertEqual(JSON.parse(declined.content[0].text).deleted, null, 'declined: nothing deleted');
  assertEqual(asked, ['Delete a.txt? This cannot be undone.', 'Delete b.txt? This cannot be undone.'],
    'the elicitations the function asked for');
  await client.close();
  const stats = await replicaStats(cluster.proxy.statsUrl);
  assertEqual(replicaStatsTotal(stats) - before, 4, 'two rounds per call, one request each');
  assertEqual(invocations(await localStats(cluster.local.url), 'mcp-confirm-delete'), 4, 'four invokes');
  // Per replica, its invokes: 'ask' (the function answered input-required) or 'act' (the retry, with state).
  const rounds = cluster.replicas.map((r) => auditRecords(r)
    .map((a) => (a.detail === 'input required' ? 'ask' : 'act')));
  assertEqual(rounds.map((r) => r.join()).sort(), ['act,act', 'ask,ask'],
    'every question came from one replica and every answer went to the other');
  console.log('ok   input-required Lambda tool: each question from one replica, its answer to the other');
}

// The same with replicas that do not share the key: the retry's state, sealed by the other replica, is refused
// and the function is not invoked again. (So the test above can fail.)
async function inputRequiredWithoutSharedKey(cluster) {
  const client = await elicitingClient(cluster, []);
  let refused;
  await client.callTool({ name: 'confirm_delete', arguments: { path: 'a.txt' } }).catch((e) => { refused = e; });
  await client.close();
  assert(refused, 'a state sealed under another key is refused');
  assertEqual(invocations(await localStats(cluster.local.url), 'mcp-confirm-delete'), 1, 'only the question invoked');
  console.log(`ok   replicas with different keys: the retry is refused (${String(refused).slice(0, 100)})`);
}

const replicaStatsTotal = (stats) => Object.values(stats).reduce((n, r) => n + r.requests, 0);

// `lambda-mcp local` serving examples/<template>, two `serve --http` replicas on it, haproxy in front. Runs
// fn(cluster) and stops everything; on failure prints the replicas' and haproxy's logs. The replicas share one
// deployment key (LAMBDA_MCP_AUDIT_KEY_FILE, from which the MRTR state key is derived) unless `sharedKey` is
// false.
async function withCluster(template, fn, { sharedKey = true } = {}) {
  const local = await startLocal(template);
  const cluster = { local, replicas: [], proxy: undefined };
  const keys = mkdtempSync(path.join(os.tmpdir(), 'lmcp-rr-keys-'));
  try {
    for (let i = 0; i < 2; i++) {
      const keyFile = path.join(keys, sharedKey ? 'audit.key' : `audit-${i}.key`);
      if (!existsSync(keyFile)) {
        writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      }
      cluster.replicas.push(await startHttpServe(lambdaEnv(local.url, { LAMBDA_MCP_AUDIT_KEY_FILE: keyFile })));
    }
    cluster.proxy = await startHaproxy(cluster.replicas);
    await fn(cluster);
  } catch (e) {
    cluster.replicas.forEach((r, i) => console.error(`--- replica ${i} log (tail) ---\n${r.log().slice(-2000)}`));
    if (cluster.proxy) {
      console.error(`--- haproxy log ---\n${cluster.proxy.log().slice(-2000)}`);
    }
    throw e;
  } finally {
    if (cluster.proxy) {
      await cluster.proxy.stop();
    }
    await Promise.all(cluster.replicas.map((r) => r.stop()));
    local.proc.kill('SIGTERM');
    rmSync(keys, { recursive: true, force: true });
  }
}

run(async () => {
  await withCluster('template.yaml', async ({ replicas, proxy }) => {
    await modernClientThroughProxy(proxy);
    const stats = await replicaStats(proxy.statsUrl);
    const audited = replicas.map(auditedCalls);
    console.log(`     haproxy requests per replica ${JSON.stringify(stats)}; audited calls ${JSON.stringify(audited)}`);
    assert(stats.r0 && stats.r1, `both replicas in the stats: ${JSON.stringify(stats)}`);
    assert(Math.abs(stats.r0.requests - stats.r1.requests) <= 1 && replicaStatsTotal(stats) >= 2.5 * CALLS,
      'the replicas served the requests in turn');
    assertEqual([stats.r0.errors, stats.r1.errors], [0, 0], 'no 4xx/5xx from either replica');
    assertEqual(audited[0] + audited[1], 2 * CALLS, 'every call audited once');
    assert(audited[0] > 0 && audited[1] > 0, 'both replicas invoked functions');
    await legacyClientThroughProxy(proxy);
  });
  await withCluster('template.yaml', legacyClientRefusedWithoutSharedKey, { sharedKey: false });
  await withCluster('template-input-required.yaml', inputRequiredAcrossReplicas);
  await withCluster('template-input-required.yaml', inputRequiredWithoutSharedKey, { sharedKey: false });
});

// Black-box scale-out (issue 18): `redis-server`, `lambda-mcp local` (scale_out_template.yaml), three
// `lambda-mcp serve --http` replicas that share one deployment key and one Redis (--state redis://...), and
// haproxy with the repository's own deploy/haproxy.cfg (round-robin, no stickiness). Loopback only; every wait
// is bounded. Shows:
//  1. the SDK v1 client (2025-11-25: a session, whose id is a ticket every replica resumes) and the SDK v2
//     client (2026-07-28, pinned) each run CALLS calls through the balancer with zero errors, and every
//     replica served some;
//  2. a rate limit of 50/s on one tool holds over the three replicas within 10 %;
//  3. a task created on one replica completes and is read through the others (2025-11-25 tasks/get and
//     tasks/result in a session; 2026-07-28 tasks/get statelessly), straight from each replica;
//  4. a replica killed (SIGKILL) while calls of a 2 s function run loses only its own in-flight calls: each
//     of them ends in an error at its client, the others complete, no Invoke is sent twice (the endpoint sees
//     no payload twice), and calls right after the kill succeed on the other replicas;
//  5. a replica told to stop (SIGTERM) drains: /readyz says draining, its in-flight calls finish with their
//     results, it exits 0, and the balancer sends new calls elsewhere.
//   node scale_out.mjs [CALLS]   (default 2000)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as V1Client, StreamableHTTPClientTransport as V1HttpTransport, assert, assertEqual, run }
  from '../client/common.mjs';
import { StreamableHTTPClientTransport, connectModern, modernClient } from '../client/modern.mjs';
import { ROOT, lambdaEnv, postModern, startHttpServe, startLocal, stats as localStats, writeTokens }
  from './local.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CALLS = Number(process.argv[2] || 2000);
const PARALLEL = 16;            // calls in flight per client
const RATE = 50;                // the limited tool's calls per second, over every replica
const RATE_SECONDS = 4;
const SLOW_MS = 2000;
const HAPROXY = findProgram('haproxy', 'apt-get install haproxy');
const REDIS = findProgram('redis-server', 'apt-get install redis-server');

function findProgram(name, install) {
  for (const dir of [...(process.env.PATH || '').split(':'), '/usr/sbin', '/usr/local/sbin', '/usr/bin']) {
    if (dir && existsSync(path.join(dir, name))) {
      return path.join(dir, name);
    }
  }
  console.error(`FAIL: ${name} is not installed; run scripts/setup.sh (or: ${install})`);
  process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Polls `check` every 100 ms until it is truthy; fails after `ms`.
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    assert(Date.now() < deadline, `${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

// A child process whose stderr is kept; stop() sends SIGTERM and resolves to [code, signal].
function startChild(file, args, what) {
  const proc = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve([code, sig])));
  return { proc, what, log: () => log, exited, stop: () => { proc.kill('SIGTERM'); return exited; } };
}

async function startRedis(dir) {
  const port = await freePort();
  const redis = startChild(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
    '--appendonly', 'no', '--dir', dir], 'redis-server');
  await until(() => new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    s.on('data', (d) => { s.destroy(); resolve(String(d).startsWith('+PONG')); });
    s.on('error', () => resolve(false));
  }), 10_000, 'redis-server answers PING');
  return { ...redis, url: `redis://127.0.0.1:${port}` };
}

// haproxy in the foreground with deploy/haproxy.cfg; the addresses come from its environment.
async function startHaproxy(replicas) {
  const [port, statsPort] = [await freePort(), await freePort()];
  const config = path.join(ROOT, 'deploy', 'haproxy.cfg');
  const env = { ...process.env, LMCP_BIND: `127.0.0.1:${port}`, LMCP_STATS: `127.0.0.1:${statsPort}` };
  replicas.forEach((r, i) => { env[`LMCP_REPLICA${i + 1}`] = r.url.host; });
  const check = spawnSync(HAPROXY, ['-c', '-q', '-f', config], { encoding: 'utf8', env });
  assert(check.status === 0, `haproxy -c deploy/haproxy.cfg: ${check.stderr}`);
  const proc = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve([code, sig])));
  const statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;
  const proxy = { url: new URL(`http://127.0.0.1:${port}/mcp`), statsUrl, log: () => log,
    stop: () => { proc.kill('SIGTERM'); return exited; } };
  // Every replica up in haproxy's health checks (GET /readyz) before the first call.
  await until(async () => {
    const s = await serverStats(proxy).catch(() => ({}));
    return ['r1', 'r2', 'r3'].every((r) => s[r] && s[r].status === 'UP');
  }, 15_000, `haproxy sees the three replicas up\n${log}`);
  return proxy;
}

// Per replica (r1..r3): requests forwarded (stot), 5xx answers, retries and redispatches, health.
async function serverStats(proxy) {
  const csv = (await (await fetch(proxy.statsUrl)).text()).trim().split('\n');
  const header = csv[0].replace(/^# /, '').split(',');
  const out = {};
  for (const line of csv.slice(1)) {
    const row = line.split(',');
    const col = (name) => row[header.indexOf(name)];
    if (row[0] === 'lambda_mcp' && /^r\d$/.test(row[1])) {
      out[row[1]] = { requests: Number(col('stot')), errors5xx: Number(col('hrsp_5xx')),
        retries: Number(col('wretr')), redispatches: Number(col('wredis')), status: col('status') };
    }
  }
  return out;
}

// The replica's audit records (one JSON line per tools/call on its stderr).
const auditRecords = (replica) => replica.log().split('\n')
  .filter((l) => l.startsWith('{') && l.includes('"event":"tools/call"')).map((l) => JSON.parse(l));

// (Arguments are written with their keys sorted: the function echoes them as lambda-mcp serialized them.)
// Runs `count` calls, PARALLEL at a time, each `call(i)`; resolves to the results in order.
async function inParallel(count, call) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await call(i);
    }
  }));
  return results;
}

const echoed = (result) => JSON.parse(result.content[0].text);

// 1a. The 2025-era client: one session through the balancer, CALLS echo calls.
async function legacyClientCalls(cluster) {
  const client = new V1Client({ name: 'lmcp-scale-v1', version: '1.32.2' });
  const transport = new V1HttpTransport(cluster.proxy.url,
    { requestInit: { headers: { Authorization: `Bearer ${cluster.tokens.alice}` } } });
  await client.connect(transport, { timeout: 15_000 });
  const run = randomBytes(4).toString('hex');
  const started = Date.now();
  const results = await inParallel(CALLS, (i) => client.callTool({ name: 'echo', arguments: { run, v1: i } }));
  const ms = Date.now() - started;
  results.forEach((r, i) => assertEqual(echoed(r), { run, v1: i }, `2025-era call ${i}`));
  assert(transport.sessionId.startsWith('lmcp1.'), 'the session id is a ticket');
  await client.close();
  console.log(`ok   1a. SDK v1 (2025-11-25, one session): ${CALLS} calls through the balancer in ${ms} ms ` +
    `(${Math.round(CALLS / (ms / 1000))}/s), no error`);
}

// 1b. The 2026-07-28 client, pinned: CALLS echo calls, no session.
async function modernClientCalls(cluster) {
  const client = modernClient('pinned', 'lmcp-scale-v2');
  const transport = new StreamableHTTPClientTransport(cluster.proxy.url,
    { requestInit: { headers: { Authorization: `Bearer ${cluster.tokens.alice}` } } });
  await connectModern(client, transport, 'pinned behind the balancer');
  const run = randomBytes(4).toString('hex');
  const started = Date.now();
  const results = await inParallel(CALLS, (i) => client.callTool({ name: 'echo', arguments: { run, v2: i } }));
  const ms = Date.now() - started;
  results.forEach((r, i) => assertEqual(echoed(r), { run, v2: i }, `2026-07-28 call ${i}`));
  await client.close();
  console.log(`ok   1b. SDK v2 (2026-07-28, pinned): ${CALLS} calls through the balancer in ${ms} ms ` +
    `(${Math.round(CALLS / (ms / 1000))}/s), no error`);
}

// 2. The limited tool, called as fast as PARALLEL callers can for RATE_SECONDS: a bucket of RATE/s with a
// burst of RATE allows RATE + RATE × elapsed calls over all three replicas.
async function globalRateLimit(cluster) {
  const client = modernClient('pinned', 'lmcp-scale-rate');
  await connectModern(client, new StreamableHTTPClientTransport(cluster.proxy.url,
    { requestInit: { headers: { Authorization: `Bearer ${cluster.tokens.bob}` } } }), 'pinned, rate');
  let allowed = 0;
  let throttled = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (Date.now() - started < RATE_SECONDS * 1000) {
      const r = await client.callTool({ name: 'limited', arguments: {} });
      if (!r.isError) {
        allowed++;
      } else {
        assert(/rate limit/.test(r.content[0].text), `a refusal names the limit: ${r.content[0].text}`);
        throttled++;
      }
    }
  }));
  const seconds = (Date.now() - started) / 1000;
  await client.close();
  const expected = RATE + RATE * seconds;
  console.log(`     ${allowed} allowed and ${throttled} throttled in ${seconds.toFixed(2)} s; the bucket allows ` +
    `${expected.toFixed(0)}`);
  assert(throttled > allowed, 'the callers asked for far more than the limit');
  assert(Math.abs(allowed - expected) <= 0.1 * expected,
    `the ${RATE}/s limit holds over three replicas within 10 %: ${allowed} allowed, ${expected.toFixed(0)} expected`);
  const audited = cluster.replicas.map((r) => auditRecords(r).filter((a) => a.tool === 'limited').length);
  assert(audited.every((n) => n > 0), `every replica served the limited tool: ${audited}`);
  console.log(`ok   2. a ${RATE}/s limit over three replicas: ${allowed} allowed of ${expected.toFixed(0)} ` +
    `(${(100 * (allowed - expected) / expected).toFixed(1)} %)`);
}

// The replica whose audit names `taskId` (the one that ran it), by index.
const runnerOf = (cluster, taskId) => cluster.replicas.findIndex((r) => auditRecords(r).some((a) => a.task_id === taskId));

// 3a. 2025-11-25: a task created in a session through the balancer; then tasks/get and tasks/result sent
// straight to each replica that did not run it, with the same session id.
async function legacyTaskAcrossReplicas(cluster) {
  const client = new V1Client({ name: 'lmcp-scale-v1-tasks', version: '1.32.2' });
  const transport = new V1HttpTransport(cluster.proxy.url,
    { requestInit: { headers: { Authorization: `Bearer ${cluster.tokens.alice}` } } });
  await client.connect(transport, { timeout: 15_000 });
  const stream = client.experimental.tasks.callToolStream({ name: 'slow', arguments: { task: '2025' } },
    undefined, { timeout: 15_000, task: { ttl: 300_000 } });
  const first = (await stream.next()).value;
  assertEqual(first.type, 'taskCreated', `tools/call as a task: ${JSON.stringify(first)}`);
  const { taskId } = first.task;
  await stream.return?.();
  await until(async () => (await client.experimental.tasks.getTask(taskId)).status === 'completed',
    SLOW_MS + 15_000, 'the 2025-11-25 task completes');
  const runner = await until(() => runnerOf(cluster, taskId) + 1, 5_000, 'the runner audited the task') - 1;
  const post = (replica, method, id) => fetch(replica.url, { method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${cluster.tokens.alice}`, 'Mcp-Session-Id': transport.sessionId,
      'MCP-Protocol-Version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { taskId } }) }).then(readRpc(id));
  for (const [i, replica] of cluster.replicas.entries()) {
    if (i === runner) {
      continue;
    }
    const got = await post(replica, 'tasks/get', 1);
    assertEqual(got.result?.status, 'completed', `tasks/get on replica ${i + 1}: ${JSON.stringify(got)}`);
    const result = await post(replica, 'tasks/result', 2);
    assertEqual(JSON.parse(result.result.content[0].text), { task: '2025' },
      `tasks/result on replica ${i + 1}: ${JSON.stringify(result)}`);
  }
  await client.close();
  console.log(`ok   3a. a 2025-11-25 task ran on replica ${runner + 1}; the other two read its status and result`);
}

// The JSON-RPC response with `id` in a JSON or SSE body.
const readRpc = (id) => async (r) => {
  const body = await r.text();
  const events = body.startsWith('{') ? [body] : [...body.matchAll(/^data: (.*)$/gm)].map((m) => m[1]);
  const found = events.map((e) => JSON.parse(e)).find((m) => m.id === id);
  assert(found, `no response ${id} in HTTP ${r.status}: ${body.slice(0, 300)}`);
  return found;
};

// 3b. 2026-07-28 with the tasks extension: the call becomes a task; tasks/get straight to each other replica.
async function modernTaskAcrossReplicas(cluster) {
  const extensions = { 'io.modelcontextprotocol/tasks': {} };
  const created = await postModern(cluster.proxy.url, cluster.tokens.alice, 'tools/call',
    { name: 'slow', arguments: { task: '2026' } }, { extensions });
  assertEqual(created.result?.resultType, 'task', `a task: ${JSON.stringify(created)}`);
  const { taskId } = created.result;
  await until(async () => (await postModern(cluster.proxy.url, cluster.tokens.alice, 'tasks/get', { taskId },
    { extensions })).result?.status === 'completed', SLOW_MS + 15_000, 'the 2026-07-28 task completes');
  const runner = await until(() => runnerOf(cluster, taskId) + 1, 5_000, 'the runner audited the task') - 1;
  for (const [i, replica] of cluster.replicas.entries()) {
    if (i === runner) {
      continue;
    }
    const got = await postModern(replica.url, cluster.tokens.alice, 'tasks/get', { taskId }, { extensions });
    assertEqual(got.result?.status, 'completed', `tasks/get on replica ${i + 1}: ${JSON.stringify(got)}`);
    assertEqual(echoed(got.result.result), { task: '2026' }, `the result inlined: ${JSON.stringify(got)}`);
  }
  console.log(`ok   3b. a 2026-07-28 task ran on replica ${runner + 1}; the other two read its result`);
}

// A raw 2026-07-28 tools/call of `slow` through the balancer: 'ok' (its own arguments back), or the error.
async function slowCall(cluster, args) {
  try {
    const r = await postModern(cluster.proxy.url, cluster.tokens.carol, 'tools/call', { name: 'slow', arguments: args });
    if (r.result && !r.result.isError && JSON.stringify(echoed(r.result)) === JSON.stringify(args)) {
      return 'ok';
    }
    return `error: ${JSON.stringify(r).slice(0, 200)}`;
  } catch (e) {
    return `error: ${String(e).slice(0, 200)}`;
  }
}

// 4. SIGKILL one replica while 30 calls of the 2 s function are in flight over all three.
async function killOneReplicaMidRun(cluster) {
  const victim = cluster.replicas[2];
  const before = (await serverStats(cluster.proxy)).r3.requests;
  const run = randomBytes(4).toString('hex');
  const pending = Array.from({ length: 30 }, (_, i) => slowCall(cluster, { kill: i, run }));
  await sleep(SLOW_MS / 3);
  const onVictim = (await serverStats(cluster.proxy)).r3.requests - before;
  victim.proc.kill('SIGKILL');
  const outcomes = await Promise.all(pending);
  const failed = outcomes.filter((o) => o !== 'ok');
  console.log(`     ${onVictim} of 30 calls went to the killed replica; ${failed.length} failed: ${failed[0] ?? ''}`);
  assert(onVictim > 0 && failed.length > 0 && failed.length <= onVictim,
    `only the killed replica's calls fail (${failed.length} failed, ${onVictim} were on it)`);
  const after = await Promise.all(Array.from({ length: 12 }, (_, i) => slowCall(cluster, { after_kill: i, run })));
  assertEqual(after.filter((o) => o !== 'ok'), [], 'calls right after the kill go to the living replicas');
  const slow = (await localStats(cluster.local.url)).functions['mcp-slow'];
  assertEqual(slow.duplicate_payloads, 0, 'no Invoke was sent twice');
  console.log(`ok   4. SIGKILL mid-run: ${failed.length} in-flight calls of the killed replica failed, ` +
    `${30 - failed.length} completed, 12 more after it all completed, no duplicate Invoke`);
}

// 5. SIGTERM one replica while calls of the 2 s function run: it drains (readyz 503), finishes them, exits 0.
async function drainOneReplica(cluster) {
  const replica = cluster.replicas[1];
  const before = (await serverStats(cluster.proxy)).r2.requests;
  const run = randomBytes(4).toString('hex');
  const pending = Array.from({ length: 12 }, (_, i) => slowCall(cluster, { drain: i, run }));
  await sleep(SLOW_MS / 3);
  const onReplica = (await serverStats(cluster.proxy)).r2.requests - before;
  replica.child.kill('SIGTERM');
  await until(async () => {
    const r = await fetch(new URL('/readyz', replica.url)).catch(() => undefined);
    return r === undefined || r.status === 503;
  }, 3_000, 'readyz says draining');
  const late = await Promise.all(Array.from({ length: 6 }, (_, i) => slowCall(cluster, { late: i, run })));
  const outcomes = await Promise.all(pending);
  assertEqual(outcomes.filter((o) => o !== 'ok'), [], 'every call in flight on the draining replica finished');
  assertEqual(late.filter((o) => o !== 'ok'), [], 'calls sent while it drained went elsewhere');
  const [code] = await replica.exited;
  assertEqual(code, 0, 'the drained replica exits 0');
  console.log(`ok   5. SIGTERM: ${onReplica} calls in flight on the replica finished, 6 sent meanwhile went ` +
    'elsewhere, it exited 0');
}

run(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lmcp-scale-'));
  const cluster = { replicas: [], tokens: writeTokens(dir, ['alice', 'bob', 'carol']) };
  try {
    writeFileSync(path.join(dir, 'audit.key'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    writeFileSync(path.join(dir, 'gateway.yaml'), [
      'principals:',
      '  tokens: [{name: alice, file: alice.token}, {name: bob, file: bob.token}, {name: carol, file: carol.token}]',
      'limits:',
      `  tools: {"limited": ${RATE}/s}`,
      '',
    ].join('\n'));
    cluster.redis = await startRedis(dir);
    cluster.local = await startLocal(path.join(here, 'scale_out_template.yaml'),
      ['--fault', `Invoke@mcp-slow:latency=${SLOW_MS}`]);
    for (let i = 0; i < 3; i++) {
      const replica = await startHttpServe(
        lambdaEnv(cluster.local.url, { LAMBDA_MCP_AUDIT_KEY_FILE: path.join(dir, 'audit.key'), XDG_STATE_HOME: dir }),
        ['--config', path.join(dir, 'gateway.yaml'), '--state', cluster.redis.url, '--shutdown-grace-ms', '10000',
          '--max-calls-per-principal', '64', '--max-calls-per-session', '64']);
      replica.proc = replica.child;
      replica.exited = new Promise((resolve) => {
        if (replica.child.exitCode !== null) {
          resolve([replica.child.exitCode, null]);
        }
        replica.child.on('exit', (code, sig) => resolve([code, sig]));
      });
      cluster.replicas.push(replica);
    }
    cluster.proxy = await startHaproxy(cluster.replicas);

    await legacyClientCalls(cluster);
    await modernClientCalls(cluster);
    const served = await serverStats(cluster.proxy);
    assert(Object.values(served).every((s) => s.requests > CALLS / 3 && s.errors5xx === 0),
      `round-robin over three replicas, no 5xx: ${JSON.stringify(served)}`);
    console.log(`     haproxy per replica: ${JSON.stringify(served)}`);
    await globalRateLimit(cluster);
    await legacyTaskAcrossReplicas(cluster);
    await modernTaskAcrossReplicas(cluster);
    await killOneReplicaMidRun(cluster);
    await drainOneReplica(cluster);
  } catch (e) {
    cluster.replicas.forEach((r, i) => console.error(`--- replica ${i + 1} log (tail) ---\n${r.log().slice(-3000)}`));
    if (cluster.proxy) {
      console.error(`--- haproxy log ---\n${cluster.proxy.log().slice(-2000)}`);
    }
    throw e;
  } finally {
    if (cluster.proxy) {
      await cluster.proxy.stop();
    }
    await Promise.all(cluster.replicas.map((r) => (r.child.exitCode === null && r.child.signalCode === null
      ? r.stop() : undefined)));
    cluster.local?.proc.kill('SIGTERM');
    if (cluster.redis) {
      await cluster.redis.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

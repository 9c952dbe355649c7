// Black-box: `lambda-mcp serve` driven by the official TypeScript SDK client over stdio, against moto_server
// seeded with the five functions of reference-measurements.md. For every filter configuration of
// reference-server.md §2.1 the tool names must be the reference server's (except two documented changes: no
// filter exposes nothing unless FUNCTION_ALLOW_ALL=true, and FUNCTION_LIST ARNs match), and every tool call
// must return the event (moto's simple mode echoes it). Also: compat mode's wrapper and texts, and a
// discovery failure reported as an error. With --bench: the measurements of reference-measurements.md.
// Fails loudly when moto_server, python3 or the SDK is missing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, Client, StdioClientTransport, assert } from '../client/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BENCH = process.argv.includes('--bench');

// Object key order is not significant (the MCP core's JSON type keeps keys sorted).
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}
function assertEqual(actual, expected, msg) {
  const a = JSON.stringify(canonical(actual));
  const e = JSON.stringify(canonical(expected));
  if (a !== e) throw new Error(`assertion failed: ${msg}\n  expected: ${e}\n  actual:   ${a}`);
}

// --- moto ---------------------------------------------------------------------------------------------
async function startMoto(workdir) {
  const proc = spawn('python3', [path.join(here, 'moto_fixture.py'), workdir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/PORT (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`moto fixture exited with ${code} (moto_server missing?)`)));
    setTimeout(() => reject(new Error('moto fixture did not start within 60 s')), 60_000);
  });
  return { proc, port, stop: () => proc.stdin.end() };
}

function baseEnv(workdir, port) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('FUNCTION_') && !k.startsWith('LAMBDA_MCP_') && !k.startsWith('AWS_')) env[k] = v;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: path.join(workdir, 'aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(workdir, 'aws', 'credentials'),
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_REGION: 'us-east-1',
  };
}

async function connect(env, args = []) {
  const transport = new StdioClientTransport({ command: BIN, args: ['serve', ...args], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr.on('data', (d) => { stderr += d; });
  const client = new Client({ name: 'lmcp-lambda-e2e', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport, { timeout: 15_000 });
  return { client, transport, stderr: () => stderr };
}

// --- the table ----------------------------------------------------------------------------------------
const ROWS = [
  ['none: nothing exposed (opt-in now)', {}, { error: 'No functions selected: no tools exposed.' }],
  ['FUNCTION_ALLOW_ALL', { FUNCTION_ALLOW_ALL: 'true' },
    ['mcp_echo', 'mcp_customer_info', 'customer_id_from_email', 'report_generator', '_2fa_verify']],
  ['prefix', { FUNCTION_PREFIX: 'mcp-' }, ['echo', 'customer_info']],
  ['list', { FUNCTION_LIST: 'customer-id-from-email, 2fa-verify ,,' }, ['customer_id_from_email', '_2fa_verify']],
  ['prefix + list', { FUNCTION_PREFIX: 'mcp-', FUNCTION_LIST: '2fa-verify' }, ['echo', 'customer_info', '_2fa_verify']],
  ['tag', { FUNCTION_TAG_KEY: 'mcp', FUNCTION_TAG_VALUE: 'enabled' }, ['mcp_echo', 'customer_id_from_email']],
  ['prefix + tag', { FUNCTION_PREFIX: 'mcp-', FUNCTION_TAG_KEY: 'mcp', FUNCTION_TAG_VALUE: 'enabled' }, ['echo']],
  ['tag key only', { FUNCTION_TAG_KEY: 'mcp' }, { error: 'Both FUNCTION_TAG_KEY and FUNCTION_TAG_VALUE' }],
  ['list ARN (matches now)', { FUNCTION_LIST: 'arn:aws:lambda:us-east-1:123456789012:function:mcp-echo' }, ['mcp_echo']],
  ['prefix case-sensitive', { FUNCTION_PREFIX: 'MCP-' },
    { error: 'matches FUNCTION_PREFIX "MCP-" (case-sensitive). 2 functions start with it in another case.' }],
];

// A row selecting nothing expects tools/list to fail with the reason (the server stays up to say it).
async function checkRow(base, [label, vars, expected]) {
  const { client, stderr } = await connect({ ...base, ...vars });
  try {
    if (expected.error) {
      const failed = await client.listTools().then(() => null, (e) => e);
      assert(failed && failed.message.includes('No Lambda function is selected as a tool: ') &&
        failed.message.includes(expected.error), `${label}: tools/list error: ${failed && failed.message}`);
      await client.ping();
      if (label.startsWith('none')) assert(stderr().includes('FUNCTION_ALLOW_ALL'), 'no-selection warning on stderr');
      if (label === 'tag key only') {
        assert(stderr().includes('Both FUNCTION_TAG_KEY and FUNCTION_TAG_VALUE must be set to filter by tag.'),
          'tag warning on stderr');
      }
      console.log(`ok   ${label}: tools/list says why`);
      return;
    }
    const { tools } = await client.listTools();
    // Sorted by name (deterministic for every caller; the reference server kept ListFunctions order).
    assertEqual(tools.map((t) => t.name), [...expected].sort(), `${label}: tool names`);
    for (const tool of tools) {
      assertEqual(tool.inputSchema, { type: 'object', additionalProperties: true }, `${label}: ${tool.name} open schema`);
      const args = { customerId: '12345', tool: tool.name, note: 'héllo ✓', n: [1, 2.5, null, true] };
      const r = await client.callTool({ name: tool.name, arguments: args });
      assert(!r.isError, `${label}: ${tool.name} isError: ${JSON.stringify(r)}`);
      assertEqual(JSON.parse(r.content[0].text), args, `${label}: ${tool.name} returns the event`);
      assertEqual(r.structuredContent, args, `${label}: ${tool.name} structuredContent`);
    }
  } finally {
    await client.close();
  }
  console.log(`ok   ${label}: [${expected.join(', ')}]`);
}

async function checkCompat(base) {
  const { client } = await connect({ ...base, FUNCTION_PREFIX: 'mcp-', LAMBDA_MCP_COMPAT: 'reference' });
  try {
    const { tools } = await client.listTools();
    assertEqual(tools.map((t) => t.name), ['customer_info', 'echo'], 'compat names (sorted)');
    assertEqual(tools[0].inputSchema.required, ['parameters'], 'compat wrapper schema');
    const r = await client.callTool({
      name: 'echo',
      // Keys in sorted order: the MCP core's JSON type does not keep the client's key order (the reference's
      // example in §8 lists customerId, note, n; the formatting is what is checked here).
      arguments: { parameters: { customerId: '12345', n: [1, 2.5, null, true], note: 'héllo ✓' } },
    });
    const expected = 'Function mcp-echo returned: {\n  "customerId": "12345",\n' +
      '  "n": [\n    1,\n    2.5,\n    null,\n    true\n  ],\n  "note": "h\\u00e9llo \\u2713"\n}';
    if (r.content[0].text !== expected) {
      throw new Error(`compat result text (reference-server.md §8)\n  expected: ${JSON.stringify(expected)}\n  actual:   ${JSON.stringify(r.content[0].text)}`);
    }
    assertEqual(r.structuredContent, { result: expected }, 'compat structuredContent');
    const flat = await client.callTool({ name: 'echo', arguments: { customerId: '1' } });
    assert(flat.isError, 'compat: flat arguments are an error');
  } finally {
    await client.close();
  }
  const { client: none } = await connect({ ...base, FUNCTION_PREFIX: 'MCP-', LAMBDA_MCP_COMPAT: 'reference' });
  try {
    assertEqual((await none.listTools()).tools, [], 'compat: nothing selected lists nothing, as the reference does');
  } finally {
    await none.close();
  }
  console.log('ok   compat=reference: wrapper and result text; nothing selected is []');
}

async function checkDiscoveryFailure(base) {
  const { client } = await connect({ ...base, FUNCTION_PREFIX: 'mcp-', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
  try {
    let error;
    try {
      await client.listTools();
    } catch (e) {
      error = e;
    }
    assert(error, 'tools/list must fail when AWS is unreachable');
    assert(/discovery failed/.test(error.message) && /Fix:/.test(error.message), `error names cause and fix: ${error.message}`);
  } finally {
    await client.close();
  }
  console.log('ok   discovery failure is a tools/list error naming cause and fix');
}

// --- bench --------------------------------------------------------------------------------------------
function pct(sorted, p) {
  return sorted[Math.max(0, Math.ceil((p * sorted.length) / 100) - 1)];
}

function directInvoke(port, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/2015-03-31/functions/mcp-echo/invocations',
      headers: {
        'X-Amz-Invocation-Type': 'RequestResponse',
        Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0',
        'Content-Length': Buffer.byteLength(body),
      },
      agent: false,
    }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(data) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function bench(base, port) {
  const t0 = performance.now();
  const { client, transport } = await connect({ ...base, FUNCTION_PREFIX: 'mcp-', LAMBDA_MCP_AUDIT_LOG: 'off' },
    []);
  const { tools } = await client.listTools();
  const spawnToList = performance.now() - t0;
  assertEqual(tools.length, 2, 'bench: 2 tools');
  const pid = transport.pid;
  const P = 'abcdefghij'.repeat(10);
  const mcp = [];
  const direct = [];
  for (let i = 0; i < 200; i++) {
    const args = { i, customerId: '12345', payload: P };
    let t = performance.now();
    const r = await client.callTool({ name: 'echo', arguments: args });
    mcp.push(performance.now() - t);
    assert(!r.isError, 'bench call failed');
    t = performance.now();
    await directInvoke(port, JSON.stringify(args));
    direct.push(performance.now() - t);
  }
  // 20 sequential calls vs 20 in flight at once (the reference serialises them).
  let t = performance.now();
  for (let i = 0; i < 20; i++) await client.callTool({ name: 'echo', arguments: { i } });
  const seq20 = performance.now() - t;
  t = performance.now();
  await Promise.all(Array.from({ length: 20 }, (_, i) => client.callTool({ name: 'echo', arguments: { i } })));
  const par20 = performance.now() - t;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = status.match(/VmHWM:\s+(\d+) kB/)[1];
  await client.close();
  const s = (a) => [...a].sort((x, y) => x - y);
  const m = s(mcp);
  const d = s(direct);
  console.log(JSON.stringify({
    spawn_to_tools_list_ms: +spawnToList.toFixed(1),
    tools_call_ms: { p50: +pct(m, 50).toFixed(2), p99: +pct(m, 99).toFixed(2), max: +m[m.length - 1].toFixed(2) },
    direct_invoke_ms: { p50: +pct(d, 50).toFixed(2), p99: +pct(d, 99).toFixed(2), max: +d[d.length - 1].toFixed(2) },
    twenty_calls_ms: { sequential: +seq20.toFixed(1), concurrent: +par20.toFixed(1) },
    peak_rss_kb: Number(hwm),
  }));
}

async function main() {
  const workdir = mkdtempSync(path.join(tmpdir(), 'lmcp-moto-'));
  const moto = await startMoto(workdir);
  try {
    const base = baseEnv(workdir, moto.port);
    if (BENCH) {
      await bench(base, moto.port);
      return;
    }
    for (const row of ROWS) await checkRow(base, row);
    await checkCompat(base);
    await checkDiscoveryFailure(base);
  } finally {
    moto.stop();
  }
}

main().then(() => { console.log('PASS'); process.exit(0); },
  (err) => { console.error('FAIL:', err && err.stack ? err.stack : err); process.exit(1); });

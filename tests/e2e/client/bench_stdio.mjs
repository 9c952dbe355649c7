// Measures, with the SDK client over stdio: time from spawn to the initialize response, p50/p90/p99 of N
// ping round trips, and the server's peak RSS (VmHWM) afterwards. Prints one JSON line. Usage:
//   LMCP_BIN=build/lambda-mcp node tests/e2e/client/bench_stdio.mjs [pings=1000]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { assert, BIN, run } from './common.mjs';

const PINGS = Number(process.argv[2] ?? 1000);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function statusKb(pid, field) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : NaN;
}

// Spawn to initialize response over a bare pipe (no SDK), median of `runs`: the server's own share.
async function rawStartupMs(runs = 11) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const child = spawn(BIN, ['--log-level', 'warn', 'serve', '--conformance-fixtures'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.write('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}\n');
    await new Promise((resolve) => child.stdout.once('data', resolve));
    times.push(performance.now() - t0);
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

run(async () => {
  const transport = new StdioClientTransport({
    command: BIN, args: ['--log-level', 'warn', 'serve', '--conformance-fixtures'], stderr: 'inherit',
  });
  // Time to the initialize response: spawn, then watch for the first message from the server.
  const client = new Client({ name: 'lmcp-bench', version: '1.0.0' }, { capabilities: {} });
  const t0 = performance.now();
  let initializeMs;
  const connected = client.connect(transport, { timeout: 10_000 });
  const onmessage = transport.onmessage;
  transport.onmessage = (m) => {
    if (initializeMs === undefined) initializeMs = performance.now() - t0;
    onmessage?.(m);
  };
  await connected;
  const connectMs = performance.now() - t0;
  assert(initializeMs !== undefined, 'saw the initialize response');

  for (let i = 0; i < 50; i++) await client.ping();  // warm-up
  const samples = [];
  for (let i = 0; i < PINGS; i++) {
    const s = performance.now();
    await client.ping();
    samples.push(performance.now() - s);
  }
  samples.sort((a, b) => a - b);
  const pid = transport.pid;
  const result = {
    startup_to_initialize_response_ms: +initializeMs.toFixed(2),
    connect_total_ms: +connectMs.toFixed(2),
    raw_pipe_startup_p50_ms: +(await rawStartupMs()).toFixed(2),
    pings: PINGS,
    ping_p50_ms: +percentile(samples, 50).toFixed(4),
    ping_p90_ms: +percentile(samples, 90).toFixed(4),
    ping_p99_ms: +percentile(samples, 99).toFixed(4),
    peak_rss_kb: statusKb(pid, 'VmHWM'),
    rss_kb: statusKb(pid, 'VmRSS'),
  };
  console.log(JSON.stringify(result));
  assert(samples.length === PINGS, 'all pings answered');
  await client.close();
});

// Guardrails end to end (issue 17), configured in the config file, over Streamable HTTP with the pinned SDK
// against `lambda-mcp local`: 100 identical calls of a cached tool invoke the function once; a rate-limited
// principal gets the retry error while another is unaffected; a function failing with 503 (fault injection)
// opens its breaker after 3 calls, later calls return at once without reaching the endpoint, and after the
// cooldown one probe closes it again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert, assertEqual } from '../client/common.mjs';
import { connectWithToken, invocations, lambdaEnv, startHttpServe, startLocal, stats, writeTokens }
  from './local.mjs';

const text = (result) => result.content.map((c) => c.text ?? '').join('\n');

// How many Invoke requests for `fn` reached the endpoint's fault rules (answered or not).
async function faultMatches(url) {
  const r = await fetch(`${url}/__admin/faults`);
  const rules = await r.json();
  return (rules.faults ?? rules).reduce((n, rule) => n + (rule.matched ?? 0), 0);
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lmcp-guardrails-'));
  const tokens = writeTokens(dir, ['alice', 'bob']);
  const config = path.join(dir, 'gateway.yaml');
  writeFileSync(config, [
    'principals:',
    '  tokens: [{name: alice, file: alice.token}, {name: bob, file: bob.token}]',
    'limits:',
    '  principals: {"token:bob": 3/m}',
    'breaker: {consecutive_failures: 3, cooldown: 2s}',
    'cache:',
    '  tools: [{match: echo, ttl: 300s}]',
    '',
  ].join('\n'));

  const local = await startLocal();
  const server = await startHttpServe(lambdaEnv(local.url, { XDG_STATE_HOME: dir }), ['--config', config]);
  try {
    const alice = await connectWithToken(server.url, tokens.alice, 'guardrails-e2e');
    const bob = await connectWithToken(server.url, tokens.bob, 'guardrails-e2e');

    // The cache: 100 identical calls, one Invoke.
    const before = invocations(await stats(local.url), 'mcp-echo');
    for (let i = 0; i < 100; i++) {
      const r = await alice.callTool({ name: 'echo', arguments: { same: 'question' } });
      assert(!r.isError, `cached echo ${i}: ${text(r)}`);
    }
    assertEqual(invocations(await stats(local.url), 'mcp-echo') - before, 1, '100 identical calls, one Invoke');

    // The rate limit: bob has 3 a minute; alice is not limited.
    const lookups = invocations(await stats(local.url), 'mcp-customer-lookup');
    for (let i = 0; i < 3; i++) {
      const r = await bob.callTool({ name: 'customer_lookup', arguments: { customerId: 'C001' } });
      assert(!r.isError, `bob's call ${i} is within the limit: ${text(r)}`);
    }
    const limited = await bob.callTool({ name: 'customer_lookup', arguments: { customerId: 'C001' } });
    assert(limited.isError && /rate limit/.test(text(limited)) && /retry in/.test(text(limited)),
      `bob's 4th call names the limit and when to retry: ${text(limited)}`);
    const other = await alice.callTool({ name: 'customer_lookup', arguments: { customerId: 'C001' } });
    assert(!other.isError, `alice is unaffected: ${text(other)}`);
    assertEqual(invocations(await stats(local.url), 'mcp-customer-lookup') - lookups, 4,
      'the limited call was not invoked');

    // The breaker: 503s open it after 3 calls; then nothing reaches the endpoint until the cooldown.
    await fetch(`${local.url}/__admin/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ operation: 'Invoke', function: 'mcp-render-chart', type: 'error', status: 503 }]) });
    for (let i = 0; i < 3; i++) {
      const r = await alice.callTool({ name: 'render_chart', arguments: { values: [1, 2] } });
      assert(r.isError, `failing call ${i} is an error`);
    }
    // Each failing call reached the endpoint (a 503 is the service's answer, retried like the AWS SDKs do).
    const reached = await faultMatches(local.url);
    assert(reached >= 3, `the three failing calls reached the endpoint (${reached} requests)`);
    const open = await alice.callTool({ name: 'render_chart', arguments: { values: [1, 2] } });
    assert(open.isError && /circuit breaker/i.test(text(open)), `the open breaker answers at once: ${text(open)}`);
    assertEqual(await faultMatches(local.url), reached, 'the open breaker sent nothing');
    await fetch(`${local.url}/__admin/faults`, { method: 'DELETE' });
    const charts = invocations(await stats(local.url), 'mcp-render-chart');
    await new Promise((r) => setTimeout(r, 2200));  // the real binary's cooldown (2 s)
    const probe = await alice.callTool({ name: 'render_chart', arguments: { values: [1, 2] } });
    assert(!probe.isError, `after the cooldown one probe goes through and succeeds: ${text(probe)}`);
    const closed = await alice.callTool({ name: 'render_chart', arguments: { values: [3, 4] } });
    assert(!closed.isError, `the breaker is closed again: ${text(closed)}`);
    assertEqual(invocations(await stats(local.url), 'mcp-render-chart') - charts, 2, 'probe and next call invoked');

    // The audit log tells the guardrails' outcomes apart.
    const audit = server.log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const outcomes = (o) => audit.filter((l) => l.outcome === o).length;
    assertEqual(outcomes('cache_hit'), 99, 'cache hits audited');
    assertEqual(outcomes('throttled'), 1, 'the rate-limited call audited');
    assertEqual(outcomes('breaker_open'), 1, 'the open-breaker call audited');
    await alice.close();
    await bob.close();
    console.log('guardrails e2e: ok');
  } finally {
    await server.stop();
    local.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`FAIL: ${e.stack || e}`);
  process.exit(1);
});

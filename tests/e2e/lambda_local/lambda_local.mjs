// Black-box: `lambda-mcp serve` (SDK client over stdio) against the project's own endpoint, `lambda-mcp local`
// serving examples/template.yaml, whose /__admin/stats counts invocations: the registry schema becomes the
// inputSchema; invalid arguments are rejected with zero invokes; a FunctionError is an isError result with its
// type and message; an MCP-content payload (the chart) passes through as an image; a read timeout produces
// exactly one invoke; concurrent calls are in flight together at the endpoint.
import { BIN, Client, StdioClientTransport, assert } from '../client/common.mjs';
import { invocations, lambdaEnv, startLocal, stats } from './local.mjs';

async function main() {
  const local = await startLocal();
  const env = lambdaEnv(local.url, { LAMBDA_MCP_INVOKE_TIMEOUT_SECONDS: '3' });
  const transport = new StdioClientTransport({ command: BIN, args: ['serve', '--workers', '32'], env, stderr: 'pipe' });
  let serverLog = '';
  transport.stderr.on('data', (d) => { serverLog += d; });
  let client = new Client({ name: 'lmcp-local-e2e', version: '1.0.0' });
  try {
    await client.connect(transport, { timeout: 15_000 });
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert(byName.customer_lookup && byName.echo && byName.render_chart && byName.slow_report,
      `tools: ${tools.map((t) => t.name)}`);
    assert(!byName.internal_billing_job, 'unselected function not exposed');
    const schema = byName.customer_lookup.inputSchema;
    assert(schema.properties && schema.properties.customerId && schema.properties.customerId.pattern === '^C[0-9]{3}$',
      `registry schema is the inputSchema: ${JSON.stringify(schema)}`);
    console.log('ok   registry schema → inputSchema');

    const bad = await client.callTool({ name: 'customer_lookup', arguments: { customerId: 'X1', extra: 1 } });
    assert(bad.isError && /customerId/.test(bad.content[0].text), `invalid arguments: ${JSON.stringify(bad)}`);
    assert(invocations(await stats(local.url), 'mcp-customer-lookup') === 0, 'no invoke for invalid arguments');
    console.log('ok   invalid arguments rejected, zero invokes');

    const fe = await client.callTool({ name: 'customer_lookup', arguments: { customerId: 'C999' } });
    assert(fe.isError && /CustomerNotFound/.test(fe.content[0].text) && /C999/.test(fe.content[0].text),
      `function error: ${JSON.stringify(fe)}`);
    console.log('ok   FunctionError → isError with errorType and errorMessage');

    const chart = await client.callTool({ name: 'render_chart', arguments: { values: [3, 1, 4, 1, 5], title: 'Pi' } });
    assert(!chart.isError && chart.content.some((b) => b.type === 'image' && b.mimeType === 'image/png'),
      `chart image: ${JSON.stringify(chart).slice(0, 300)}`);
    console.log('ok   MCP content payload passes through as an image');

    const before = invocations(await stats(local.url), 'mcp-slow-report');
    const slow = await client.callTool({ name: 'slow_report', arguments: { seconds: 4.5 } });
    assert(slow.isError && /may still have run/.test(slow.content[0].text), `timeout: ${JSON.stringify(slow)}`);
    await new Promise((r) => setTimeout(r, 3000));  // any retry would have been sent by now
    assert(invocations(await stats(local.url), 'mcp-slow-report') - before === 1, 'exactly one invoke after a timeout');
    console.log('ok   read timeout → isError, exactly one invoke');

    // A second server with the default read timeout (the function's Timeout + margin) for the concurrency check.
    await client.close();
    const t2 = new StdioClientTransport({ command: BIN, args: ['serve', '--workers', '32'], stderr: 'pipe',
      env: { ...env, LAMBDA_MCP_INVOKE_TIMEOUT_SECONDS: '0' } });
    t2.stderr.on('data', (d) => { serverLog += d; });
    client = new Client({ name: 'lmcp-local-e2e', version: '1.0.0' });
    await client.connect(t2, { timeout: 15_000 });
    await fetch(`${local.url}/__admin/stats`, { method: 'DELETE' });
    const calls = Array.from({ length: 20 }, (_, i) => client.callTool({ name: 'echo', arguments: { i } }));
    const results = await Promise.all(calls);
    assert(results.every((r) => !r.isError), `concurrent echo calls succeed: ${JSON.stringify(results.find((r) => r.isError))}`);
    const s = await stats(local.url);
    const peak = s.functions['mcp-echo'].concurrency.peak;
    assert(invocations(s, 'mcp-echo') === 20, 'twenty invokes');
    assert(peak > 1, `calls overlap at the endpoint (peak ${peak})`);
    console.log(`ok   20 concurrent calls, peak concurrency at the endpoint ${peak}`);
  } catch (e) {
    console.error(serverLog.slice(-3000));
    throw e;
  } finally {
    await client.close().catch(() => {});
    local.proc.kill('SIGTERM');
  }
}

main().then(() => { console.log('PASS'); process.exit(0); },
  (err) => { console.error('FAIL:', err && err.stack ? err.stack : err); process.exit(1); });

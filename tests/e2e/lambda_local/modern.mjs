// Black-box, MCP 2026-07-28: the TypeScript SDK v2 client, pinned ({ pin: '2026-07-28' }) and 'auto' (which
// must settle on 2026-07-28), over stdio (`lambda-mcp serve`) and over HTTP (`lambda-mcp serve --http`),
// against the project's own Lambda endpoint (`lambda-mcp local`, examples/template.yaml). Each of the four
// lists the Lambda tools and calls them: a real result, a FunctionError as an isError result, and invalid
// arguments refused as an isError result without an invoke. Over HTTP no session id is issued, and the v1
// SDK (1.32.2, 2025-11-25 with initialize) is served by the same endpoint at the same time.
import { Client as V1Client, StreamableHTTPClientTransport as V1HttpTransport, assert, assertEqual, run }
  from '../client/common.mjs';
import { MODERN, StdioClientTransport, StreamableHTTPClientTransport, connectModern, modernClient }
  from '../client/modern.mjs';
import { invocations, lambdaEnv, startHttpServe, startLocal, stats } from './local.mjs';

const text = (result) => result.content.filter((b) => b.type === 'text').map((b) => b.text).join('\n');

// Lists and calls the template's tools through a connected client; `label` names the case in messages.
async function exercise(client, localUrl, label) {
  const { tools } = await client.listTools();
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  assert(byName.customer_lookup && byName.echo && byName.render_chart && byName.slow_report,
    `${label}: tools listed: ${tools.map((t) => t.name)}`);
  assert(!byName.internal_billing_job, `${label}: unselected function not exposed`);
  assertEqual(byName.customer_lookup.inputSchema.properties.customerId.pattern, '^C[0-9]{3}$',
    `${label}: registry schema is the inputSchema`);

  const found = await client.callTool({ name: 'customer_lookup', arguments: { customerId: 'C003' } });
  assert(!found.isError && /Grace Hopper/.test(text(found)), `${label}: lookup result: ${JSON.stringify(found)}`);

  const echo = await client.callTool({ name: 'echo', arguments: { label, n: 7 } });
  const echoed = JSON.parse(text(echo));
  assertEqual([echoed.echo, echoed.function], [{ label, n: 7 }, 'mcp-echo'], `${label}: echo round trip`);

  const notFound = await client.callTool({ name: 'customer_lookup', arguments: { customerId: 'C999' } });
  assert(notFound.isError && /CustomerNotFound/.test(text(notFound)) && /C999/.test(text(notFound)),
    `${label}: FunctionError → isError: ${JSON.stringify(notFound)}`);

  const before = invocations(await stats(localUrl), 'mcp-customer-lookup');
  const bad = await client.callTool({ name: 'customer_lookup', arguments: { customerId: 'X1', extra: 1 } });
  assert(bad.isError && /customerId/.test(text(bad)),
    `${label}: invalid arguments → isError: ${JSON.stringify(bad)}`);
  assertEqual(invocations(await stats(localUrl), 'mcp-customer-lookup') - before, 0,
    `${label}: no invoke for invalid arguments`);
  console.log(`ok   ${label}: ${MODERN}, ${tools.length} tools listed, result, isError, validation error`);
}

async function stdioCase(local, mode) {
  const transport = new StdioClientTransport({ command: process.env.LMCP_BIN, args: ['serve'],
    env: lambdaEnv(local.url), stderr: 'pipe' });
  let log = '';
  transport.stderr.on('data', (d) => { log += d; });
  const client = modernClient(mode);
  try {
    await connectModern(client, transport, `stdio ${mode}`);
    await exercise(client, local.url, `stdio ${mode}`);
  } catch (e) {
    console.error(log.slice(-3000));
    throw e;
  } finally {
    await client.close().catch(() => {});
  }
}

async function httpCase(local, server, mode) {
  const transport = new StreamableHTTPClientTransport(server.url);
  const client = modernClient(mode);
  try {
    await connectModern(client, transport, `http ${mode}`);
    await exercise(client, local.url, `http ${mode}`);
    assertEqual(transport.sessionId, undefined, `http ${mode}: no Mcp-Session-Id in the modern era`);
  } finally {
    await client.close().catch(() => {});
  }
}

// The 2025-era SDK on the same endpoint: initialize, a session, a call.
async function v1HttpCase(local, server) {
  const transport = new V1HttpTransport(server.url);
  const client = new V1Client({ name: 'lmcp-e2e-v1', version: '1.32.2' });
  await client.connect(transport, { timeout: 15_000 });
  assertEqual(transport.protocolVersion, '2025-11-25', 'v1 over HTTP: negotiated version');
  assert(transport.sessionId, 'v1 over HTTP: a session id');
  const found = await client.callTool({ name: 'customer_lookup', arguments: { customerId: 'C001' } });
  assert(!found.isError && /Ada Lovelace/.test(text(found)), `v1 over HTTP: ${JSON.stringify(found)}`);
  await client.close();
  console.log('ok   http v1 SDK 1.32.2: 2025-11-25 session on the same endpoint');
}

run(async () => {
  const local = await startLocal();
  let server;
  try {
    for (const mode of ['pinned', 'auto']) {
      await stdioCase(local, mode);
    }
    server = await startHttpServe(lambdaEnv(local.url));
    for (const mode of ['pinned', 'auto']) {
      await httpCase(local, server, mode);
    }
    await v1HttpCase(local, server);
    assertEqual(await server.stop(), [0, null], 'serve --http exits 0 on SIGTERM');
    server = undefined;
  } catch (e) {
    if (server) {
      console.error(server.log().slice(-3000));
    }
    throw e;
  } finally {
    if (server) {
      await server.stop();
    }
    local.proc.kill('SIGTERM');
  }
});

// Black-box: a caller's W3C trace context reaches the Lambda function. `lambda-mcp serve` against
// `lambda-mcp local` (examples/template.yaml), whose echo function returns its _X_AMZN_TRACE_ID and its
// client context's `custom`. Over stdio the traceparent/tracestate ride in the tools/call's _meta (of a
// 2025-11-25 session and of a 2026-07-28 stateless request); over Streamable HTTP in the request headers (of
// a session and of a stateless POST). The function sees the X-Ray header and both W3C values; an invalid
// traceparent reaches it as nothing; the audit line records the trace id.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, Client, StdioClientTransport, StreamableHTTPClientTransport, assert, assertEqual, run,
  startHttpServer } from '../client/common.mjs';
import { lambdaEnv, startLocal } from './local.mjs';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;
const XRAY = 'Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1';
const STATELESS_META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {} };
const STATELESS_TRACE_ID = '5bf92f3577b34da6a3ce929d0e0e4737';
const STATELESS_TRACEPARENT = `00-${STATELESS_TRACE_ID}-00f067aa0ba902b8-01`;
const STATELESS_XRAY = 'Root=1-5bf92f35-77b34da6a3ce929d0e0e4737;Parent=00f067aa0ba902b8;Sampled=1';
const STATELESS_HTTP_TRACEPARENT = '00-6bf92f3577b34da6a3ce929d0e0e4738-00f067aa0ba902b9-01';
const HTTP_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const HTTP_TRACEPARENT = `00-${HTTP_TRACE_ID}-00f067aa0ba902b7-00`;
const HTTP_XRAY = 'Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=0';

// What the echo function saw, from the tool result's text.
function seen(result) {
  assert(!result.isError, `echo succeeded: ${JSON.stringify(result)}`);
  return JSON.parse(result.content[0].text);
}

run(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lmcp-trace-'));
  const audit = path.join(dir, 'audit.log');
  const local = await startLocal();
  const env = lambdaEnv(local.url, { LAMBDA_MCP_AUDIT_LOG: audit });
  let stdio;
  let http;
  try {
    // stdio: _meta carries the trace context.
    stdio = new Client({ name: 'lmcp-trace-e2e', version: '1.0.0' });
    await stdio.connect(new StdioClientTransport({ command: BIN, args: ['serve'], env, stderr: 'inherit' }),
      { timeout: 15_000 });
    const traced = seen(await stdio.callTool({ name: 'echo', arguments: { n: 1 },
      _meta: { traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' } }));
    assertEqual(traced.traceId, XRAY, 'the function sees the X-Ray trace header');
    assertEqual(traced.clientContext, { traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' },
      'the function sees traceparent and tracestate in ClientContext.custom');
    console.log('ok   stdio: _meta traceparent → X-Amzn-Trace-Id and ClientContext.custom');

    // The same in the stateless era (MCP 2026-07-28: the request carries its own protocol version).
    const stateless = seen(await stdio.callTool({ name: 'echo', arguments: { n: 2 },
      _meta: { ...STATELESS_META, traceparent: STATELESS_TRACEPARENT } }));
    assertEqual([stateless.traceId, stateless.clientContext], [STATELESS_XRAY, { traceparent: STATELESS_TRACEPARENT }],
      'a 2026-07-28 request\'s traceparent reaches the function');
    console.log('ok   stdio, 2026-07-28 stateless request: _meta traceparent → the function');

    const invalid = seen(await stdio.callTool({ name: 'echo', arguments: { n: 3 },
      _meta: { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01`, tracestate: 'congo=x' } }));
    assertEqual([invalid.traceId, invalid.clientContext], [null, null], 'an invalid traceparent is not forwarded');
    console.log('ok   stdio: an all-zero trace id reaches the function as nothing');

    // Streamable HTTP: the traceparent/tracestate headers.
    const token = randomBytes(24).toString('base64url');
    const server = await startHttpServer(['serve', '--http', '127.0.0.1:0'],
      { ...env, LAMBDA_MCP_AUTH_TOKEN: token });
    http = { child: server.child };
    const headers = { Authorization: `Bearer ${token}`, traceparent: HTTP_TRACEPARENT,
      tracestate: 'rojo=00f067aa0ba902b7' };
    http.client = new Client({ name: 'lmcp-trace-e2e', version: '1.0.0' });
    await http.client.connect(new StreamableHTTPClientTransport(server.url, { requestInit: { headers } }),
      { timeout: 15_000 });
    const overHttp = seen(await http.client.callTool({ name: 'echo', arguments: { n: 4 } }));
    assertEqual(overHttp.traceId, HTTP_XRAY, 'the HTTP traceparent header reaches the function');
    assertEqual(overHttp.clientContext, { traceparent: HTTP_TRACEPARENT, tracestate: 'rojo=00f067aa0ba902b7' },
      'the HTTP trace headers reach ClientContext.custom');
    console.log('ok   HTTP: traceparent/tracestate headers → X-Amzn-Trace-Id and ClientContext.custom');

    // A 2026-07-28 stateless POST: no session, the trace context in the headers all the same.
    const post = await fetch(server.url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2026-07-28',
        'Mcp-Method': 'tools/call', 'Mcp-Name': 'echo', traceparent: STATELESS_HTTP_TRACEPARENT },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call',
        params: { name: 'echo', arguments: { n: 5 }, _meta: STATELESS_META } }),
    });
    const text = await post.text();
    assert(post.status === 200, `stateless POST: ${post.status} ${text}`);
    // A JSON body, or one SSE event holding the response.
    const response = JSON.parse(text.startsWith('{') ? text : /^data: (.*)$/m.exec(text)[1]);
    const statelessHttp = seen(response.result);
    assertEqual(statelessHttp.clientContext, { traceparent: STATELESS_HTTP_TRACEPARENT },
      'the traceparent header of a stateless POST reaches the function');
    console.log('ok   HTTP, 2026-07-28 stateless POST: traceparent header → the function');

    // The audit lines (both servers append to one file) record the trace ids, and none for the invalid one.
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const traceIds = lines.map((l) => l.trace_id ?? null);
    assertEqual(traceIds, [TRACE_ID, STATELESS_TRACE_ID, null, HTTP_TRACE_ID, STATELESS_HTTP_TRACEPARENT.slice(3, 35)],
      'audit trace_id per call');
    console.log('ok   the audit line records the trace id');
  } finally {
    await stdio?.close().catch(() => {});
    await http?.client?.close().catch(() => {});
    http?.child.kill('SIGTERM');
    local.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

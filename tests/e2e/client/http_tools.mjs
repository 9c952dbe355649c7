// SDK 1.32.2 Streamable HTTP client against `lambda-mcp serve --http 127.0.0.1:0 --conformance-fixtures`
// (bearer token on): lists and calls tools, progress and log notifications on the call's stream, sampling
// answered by this client, concurrent calls, a client without the token refused, DELETE via
// terminateSession, then SIGTERM ends the server cleanly.
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { assert, assertEqual, listAllToolNames, run, startHttpServer } from './common.mjs';

function startServer(env) {
  return startHttpServer(['--log-level', 'warn', 'serve', '--http', '127.0.0.1:0', '--conformance-fixtures'],
    { ...process.env, ...env });
}

async function connect(url, token, capabilities = {}) {
  const transport = new StreamableHTTPClientTransport(url,
    { requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} } });
  const client = new Client({ name: 'lmcp-http-e2e', version: '1.0.0' }, { capabilities });
  await client.connect(transport, { timeout: 10_000 });
  return { client, transport };
}

run(async () => {
  const token = randomBytes(24).toString('base64url');
  const { child, url } = await startServer({ LAMBDA_MCP_AUTH_TOKEN: token });
  const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })));
  try {
    // Without the token the handshake is refused.
    let refused = false;
    try {
      await connect(url, undefined);
    } catch (e) {
      refused = /401|Unauthorized/i.test(String(e));
    }
    assert(refused, 'a client without the token is refused with 401');

    const { client, transport } = await connect(url, token, { sampling: {} });
    assert(transport.sessionId && transport.sessionId.length >= 32, 'session id issued');
    assertEqual(transport.protocolVersion, '2025-11-25', 'negotiated version');
    assertEqual(client.getServerVersion().name, 'lambda-mcp', 'serverInfo.name');

    const names = await listAllToolNames(client);
    assert(names.includes('test_simple_text') && names.length >= 12, `tools listed (${names.length})`);

    assertEqual((await client.callTool({ name: 'test_simple_text', arguments: {} })).content,
      [{ type: 'text', text: 'This is a simple text response for testing.' }], 'test_simple_text');

    const progress = [];
    const withProgress = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined,
      { onprogress: (p) => progress.push(p.progress) });
    assertEqual(progress, [0, 50, 100], 'progress notifications on the call stream');
    assert(!withProgress.isError, 'progress tool succeeded');

    const logs = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params.data));
    await client.setLoggingLevel('debug');
    await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    assertEqual(logs.length, 3, `3 log notifications (${JSON.stringify(logs)})`);

    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      role: 'assistant', model: 'e2e', content: { type: 'text', text: `echo ${req.params.messages[0].content.text}` },
    }));
    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
    assertEqual(sampled.content[0].text, 'LLM response: echo hi', 'sampling round trip over HTTP');

    const failed = await client.callTool({ name: 'test_error_handling', arguments: {} });
    assertEqual(failed.isError, true, 'isError result');

    // Many calls at once in one session, each answered on its own stream.
    const results = await Promise.all(Array.from({ length: 32 },
      () => client.callTool({ name: 'test_simple_text', arguments: {} })));
    assert(results.every((r) => r.content[0].text.startsWith('This is a simple')), '32 concurrent calls');

    // A second session at the same time.
    const other = await connect(url, token);
    assert(other.transport.sessionId !== transport.sessionId, 'distinct session ids');
    await other.client.callTool({ name: 'test_simple_text', arguments: {} });

    // DELETE ends the session; its id is then unknown (404).
    const sid = transport.sessionId;
    await transport.terminateSession();
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${token}`, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    });
    assertEqual(r.status, 404, 'terminated session is unknown');
    await client.close();
    await other.client.close();
  } finally {
    child.kill('SIGTERM');
  }
  const { code, sig } = await exited;
  assertEqual([code, sig], [0, null], 'server exits 0 on SIGTERM');
});

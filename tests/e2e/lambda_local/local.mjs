// Shared by the Lambda e2e scripts here: `lambda-mcp local` serving examples/template.yaml (its
// /__admin/stats counts invocations), the environment that points `lambda-mcp serve` at it,
// `lambda-mcp serve --http 127.0.0.1:0` started as a child that is found by its "listening on" line, and
// named bearer tokens (files for a config's `principals.tokens`, SDK clients that send them).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, Client, StreamableHTTPClientTransport, startHttpServer } from '../client/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..', '..');

// Starts `lambda-mcp local <args>` serving examples/<template> (or the template at an absolute path);
// resolves to { proc, url } once it prints its URL.
export async function startLocal(template = 'template.yaml', args = []) {
  const proc = spawn(BIN, ['local', '--template', path.resolve(ROOT, 'examples', template), '--port', '0',
    '--access-key-id', 'AKIDLOCAL', '--secret-access-key', 'local-secret', ...args],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`lambda-mcp local exited with ${code}: ${err}`)));
    setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('lambda-mcp local did not start within 30 s'));
    }, 30_000);
  });
  return { proc, url };
}

// `lambda-mcp local <args>` serving the tasks tests' functions (tasks_template.yaml), slow2 taking 2 s.
export function startTasksLocal(args = []) {
  return startLocal(path.join(here, 'tasks_template.yaml'), ['--fault', 'Invoke@mcp-slow2:latency=2000', ...args]);
}

export async function stats(url) {
  const r = await fetch(`${url}/__admin/stats`);
  return r.json();
}

export const invocations = (s, fn) => (s.functions[fn] ? s.functions[fn].invocations : 0);

// The environment of a `lambda-mcp serve` that exposes the template's mcp-* functions from `localUrl`.
export function lambdaEnv(localUrl, extra = {}) {
  return {
    PATH: process.env.PATH, HOME: process.env.HOME, XDG_STATE_HOME: process.env.XDG_STATE_HOME,
    AWS_ENDPOINT_URL: localUrl, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true',
    FUNCTION_PREFIX: 'mcp-', FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY: 'tool-input-schema-arn',
    ...extra,
  };
}

// Starts `lambda-mcp --log-level warn serve --http 127.0.0.1:0 <args>` (audit lines still go to stderr);
// resolves to { child, url, log(), stop() } (client/common.mjs startHttpServer).
export function startHttpServe(env, args = []) {
  return startHttpServer(['--log-level', 'warn', 'serve', '--http', '127.0.0.1:0', ...args], env);
}

// Writes a random token for each name to <dir>/<name>.token (mode 600), for a config's
// `principals: {tokens: [{name, file: <name>.token}]}`; returns { name: token }.
export function writeTokens(dir, names) {
  const tokens = {};
  for (const name of names) {
    tokens[name] = randomBytes(32).toString('hex');
    writeFileSync(path.join(dir, `${name}.token`), `${tokens[name]}\n`, { mode: 0o600 });
  }
  return tokens;
}

// An SDK (1.32.2) client connected over Streamable HTTP to `url`, sending `token` as its bearer.
export async function connectWithToken(url, token, name = 'lmcp-e2e') {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url),
    { requestInit: { headers: { Authorization: `Bearer ${token}` } } }), { timeout: 15_000 });
  return client;
}

export const MODERN = '2026-07-28';

// One MCP 2026-07-28 request as a stateless HTTP POST (no session): the era's _meta (protocol version, the
// client's capabilities with `extensions`) and headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name from
// params.name or, for tasks/*, params.taskId; `headers` override them), `token` as bearer. Resolves to the
// JSON-RPC response, read from a JSON body or from the SSE event that holds it, with the HTTP status as
// `httpStatus` (the era's status codes: 400 for an invalid request or params, 404 for an unknown method).
export async function postModern(url, token, method, params = {}, { extensions = {}, id = 1, headers = {} } = {}) {
  const meta = { 'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': { extensions },
    'io.modelcontextprotocol/clientInfo': { name: 'lmcp-e2e-raw', version: '1.0.0' } };
  const name = params.name ?? params.taskId;
  const sent = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': MODERN, 'Mcp-Method': method,
    ...(name === undefined ? {} : { 'Mcp-Name': name }), ...headers };
  const r = await fetch(url, { method: 'POST', headers: sent,
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } }) });
  const body = await r.text();
  const events = body.startsWith('{') ? [body] : [...body.matchAll(/^data: (.*)$/gm)].map((m) => m[1]);
  const response = events.map((e) => JSON.parse(e)).find((m) => m.id === id);
  if (!response) {
    throw new Error(`${method}: no response with id ${id} in HTTP ${r.status} ${body}`);
  }
  return Object.assign(response, { httpStatus: r.status });
}

// Shared helpers for the SDK client e2e scripts (here and in tests/e2e/lambda_*): the pinned SDK's client
// classes, the binary under test, `lambda-mcp serve --conformance-fixtures` over stdio, and small assertions
// that fail the process loudly.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('./node_modules/@modelcontextprotocol/sdk/', import.meta.url))) {
  console.error('FAIL: the pinned MCP SDK is missing (tests/e2e/client/node_modules); run scripts/setup.sh');
  process.exit(1);
}
export const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
export const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
export const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
export const { CallToolResultSchema } = await import('@modelcontextprotocol/sdk/types.js');

export const BIN = process.env.LMCP_BIN;
if (!BIN || !existsSync(BIN)) {
  console.error(`FAIL: LMCP_BIN (${BIN}) is not the lambda-mcp binary`);
  process.exit(1);
}

export function assert(condition, message) {
  if (!condition) {
    throw new Error(`assertion failed: ${message}`);
  }
}

export function assertEqual(actual, expected, message) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) {
    throw new Error(`assertion failed: ${message}\n  expected: ${e}\n  actual:   ${a}`);
  }
}

// Connects a client; `capabilities` are the client's (e.g. {sampling: {}}).
export async function connect({ capabilities = {}, args = [], stderr = 'inherit' } = {}) {
  const transport = new StdioClientTransport({
    command: BIN,
    args: ['--log-level', 'warn', 'serve', '--conformance-fixtures', ...args],
    stderr,
  });
  const client = new Client({ name: 'lmcp-e2e', version: '1.0.0' }, { capabilities });
  await client.connect(transport, { timeout: 10_000 });
  return { client, transport };
}

// Starts `lambda-mcp <args>` (a `serve --http 127.0.0.1:0`) with exactly `env`; resolves to
// { child, url, log(), stop() } once it prints its "listening on" line. stop() sends SIGTERM and resolves to
// [exit code, signal].
export async function startHttpServer(args, env) {
  const child = spawn(BIN, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve([code, sig])));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve --http printed no listening line:\n${log}`));
    }, 15_000);
    child.stderr.on('data', () => {
      const m = /^lambda-mcp: listening on (http:\/\/\S+)$/m.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[1]));
      }
    });
    exited.then(([code]) => reject(new Error(`serve --http exited ${code}:\n${log}`)));
  });
  return {
    child, url, log: () => log,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

// Every tool name, following tools/list cursors.
export async function listAllToolNames(client) {
  const names = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    names.push(...page.tools.map((t) => t.name));
    cursor = page.nextCursor;
  } while (cursor);
  return names;
}

// Runs main() and maps the outcome to an exit code, printing the failure.
export function run(main) {
  main().then(
    () => {
      console.log('PASS');
      process.exit(0);
    },
    (err) => {
      console.error('FAIL:', err && err.stack ? err.stack : err);
      process.exit(1);
    },
  );
}

// Shared by the Lambda e2e scripts here: `lambda-mcp local` serving examples/template.yaml (its
// /__admin/stats counts invocations), the environment that points `lambda-mcp serve` at it, and
// `lambda-mcp serve --http 127.0.0.1:0` started as a child that is found by its "listening on" line.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startHttpServer } from '../client/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..', '..');

// Starts `lambda-mcp local` serving examples/<template>; resolves to { proc, url } once it prints its URL.
export async function startLocal(template = 'template.yaml') {
  const proc = spawn(BIN, ['local', '--template', path.join(ROOT, 'examples', template), '--port', '0',
    '--access-key-id', 'AKIDLOCAL', '--secret-access-key', 'local-secret'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

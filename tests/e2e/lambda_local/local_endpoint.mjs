// Shared by the tests/e2e/lambda_local scripts: `lambda-mcp local` serving examples/template.yaml on port 0,
// its /__admin/stats, and the environment that points `lambda-mcp serve` at it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../client/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..', '..');

export async function startLocal() {
  const proc = spawn(BIN, ['local', '--template', path.join(root, 'examples', 'template.yaml'), '--port', '0',
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
    setTimeout(() => reject(new Error('lambda-mcp local did not start within 30 s')), 30_000);
  });
  return { proc, url };
}

export async function stats(url) {
  const r = await fetch(`${url}/__admin/stats`);
  return r.json();
}
export const invocations = (s, fn) => (s.functions[fn] ? s.functions[fn].invocations : 0);

// `lambda-mcp serve`'s environment for the local endpoint at `url` and the sample template's selection.
export function serveEnv(url) {
  return {
    PATH: process.env.PATH, HOME: process.env.HOME, XDG_STATE_HOME: process.env.XDG_STATE_HOME,
    AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true',
    FUNCTION_PREFIX: 'mcp-', FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY: 'tool-input-schema-arn',
  };
}

// inspector-cli 1.0.3 against the server over stdio: tools/list and a tools/call, checking its JSON output.
// Runs the CLI from a folder whose parent holds a package.json (its packaging quirk).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertEqual, BIN, run } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, 'node_modules/@modelcontextprotocol/inspector-cli/build/index.js');
// The CLI wants a package.json in the parent of its working directory.
const scratch = mkdtempSync(join(tmpdir(), 'lmcp-inspector-'));
writeFileSync(join(scratch, 'package.json'), '{}');
const cwd = join(scratch, 'work');
mkdirSync(cwd);
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function inspect(...args) {
  const out = execFileSync('node', [cli, BIN, '--log-level', 'warn', 'serve', '--conformance-fixtures', ...args],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000 });
  return JSON.parse(out);
}

run(async () => {
  const list = inspect('--method', 'tools/list');
  assertEqual(list.tools.length, 34, 'inspector sees the 34 fixture tools');
  const call = inspect('--method', 'tools/call', '--tool-name', 'test_simple_text');
  assertEqual(call.content[0].text, 'This is a simple text response for testing.', 'inspector tools/call');
});

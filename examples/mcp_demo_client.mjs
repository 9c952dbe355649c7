// The `make run` demo: starts `lambda-mcp serve` over stdio (environment from scripts/run.sh), lists the
// tools, makes one successful call and one that ends in a function error, runs the long job (as an MCP task
// when the server offers tasks for it) and calls the fire-and-forget notify tool, and prints what came back.
// Uses the pinned @modelcontextprotocol/sdk from $LMCP_CLIENT_DIR (tests/e2e/client).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const clientDir = process.env.LMCP_CLIENT_DIR;
const bin = process.env.LMCP_BIN;
const require = createRequire(path.join(clientDir, 'package.json'));
const load = (spec) => import(pathToFileURL(require.resolve(spec)).href);
const { Client } = await load('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = await load('@modelcontextprotocol/sdk/client/stdio.js');

const short = (s, n = 160) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const show = (result) => {
  for (const block of result.content || []) {
    if (block.type === 'text') console.log('    text:', short(block.text.replace(/\s+/g, ' ')));
    else if (block.type === 'image') console.log(`    image: ${block.mimeType}, ${block.data.length} base64 chars`);
    else console.log('    ' + block.type);
  }
};

const transport = new StdioClientTransport({ command: bin, args: ['serve'], env: process.env, stderr: 'pipe' });
let serverLog = '';
transport.stderr?.on('data', (d) => { serverLog += d; });
const client = new Client({ name: 'lambda-mcp-demo', version: '1.0.0' });
try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  console.log(`== tools/list: ${tools.length} tools`);
  for (const t of tools) console.log(`  - ${t.name}: ${short((t.description || '').split('\n')[0], 100)}`);
  const find = (part) => tools.find((t) => t.name.includes(part));
  const lookup = find('customer_lookup');
  if (!lookup) throw new Error('the customer lookup sample is not among the tools');

  console.log(`== tools/call ${lookup.name} {"customerId":"C001"}`);
  const ok = await client.callTool({ name: lookup.name, arguments: { customerId: 'C001' } });
  console.log(`  isError: ${ok.isError === true}`);
  show(ok);

  console.log(`== tools/call ${lookup.name} {"customerId":"C999"} (the function raises CustomerNotFound)`);
  const failed = await client.callTool({ name: lookup.name, arguments: { customerId: 'C999' } });
  console.log(`  isError: ${failed.isError === true}`);
  show(failed);

  const chart = find('render_chart');
  if (chart) {
    console.log(`== tools/call ${chart.name} {"values":[3,1,4,1,5]}`);
    show(await client.callTool({ name: chart.name, arguments: { values: [3, 1, 4, 1, 5], title: 'Pi' } }));
  }

  const job = find('long_job');
  if (job) {
    const support = job.execution?.taskSupport ?? 'forbidden';
    console.log(`== tools/call ${job.name} {"seconds":1} (Timeout 120 s: taskSupport ${support})`);
    // callToolStream asks for a task when the server offers tasks for the tool, else calls it plainly.
    const stream = client.experimental.tasks.callToolStream({ name: job.name, arguments: { seconds: 1 } });
    for await (const message of stream) {
      if (message.type === 'taskCreated') console.log(`  task ${message.task.taskId}: ${message.task.status}`);
      else if (message.type === 'taskStatus') console.log(`  task status: ${message.task.status}`);
      else if (message.type === 'result') show(message.result);
      else if (message.type === 'error') console.log('  error:', message.error.message);
    }
  }

  const notify = find('notify');
  if (notify) {
    console.log(`== tools/call ${notify.name} {"channel":"ops","message":"demo"} (fire and forget: Event)`);
    show(await client.callTool({ name: notify.name, arguments: { channel: 'ops', message: 'demo' } }));
  }
  await client.close();
} catch (err) {
  console.error('demo failed:', err.message);
  if (serverLog) console.error('lambda-mcp serve stderr:\n' + serverLog.slice(-4000));
  process.exitCode = 1;
  await client.close().catch(() => {});
}

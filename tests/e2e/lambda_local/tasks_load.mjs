// 200 concurrent MCP tasks (issue 15): `lambda-mcp serve --http` against `lambda-mcp local`
// (tasks_template.yaml). 200 task-augmented tools/call of slow2 (a 2 s function) are sent at once as
// 2026-07-28 requests with the io.modelcontextprotocol/tasks extension; every one must come back as a task,
// all must be working at one moment (the last created before the first ended), and tasks/get, polled at the
// suggested interval, must end each in `completed` with its own input echoed. Prints the wall time and
// lambda-mcp's peak RSS (VmHWM), which must stay under a generous bound.
//   run.sh tasks_load.mjs [count]   (default 200)
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { assert, assertEqual, run } from '../client/common.mjs';
import { lambdaEnv, postModern, startHttpServe, startTasksLocal, stats } from './local.mjs';

const COUNT = Number(process.argv[2] ?? 200);
const RSS_LIMIT_MB = 200;
const TASKS_EXTENSION = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A memory figure of a process from /proc/<pid>/status (VmHWM: peak resident set, VmRSS: now), in MB.
function memoryMb(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert(m, `${field} of ${pid}`);
  return Number(m[1]) / 1024;
}

// Polls tasks/get for every task (at most its pollIntervalMs apart) until none is working; resolves to
// { taskId: final task }.
async function pollAll(url, token, created, deadlineMs) {
  const done = {};
  let pending = created;
  const deadline = Date.now() + deadlineMs;
  while (pending.length > 0) {
    assert(Date.now() < deadline, `${pending.length} task(s) still working after ${deadlineMs} ms`);
    await sleep(Math.max(...pending.map((t) => t.pollIntervalMs)));
    const got = await Promise.all(pending.map((t) => postModern(url, token, 'tasks/get', { taskId: t.taskId },
      TASKS_EXTENSION)));
    got.forEach((r, i) => assert(r.result, `tasks/get ${pending[i].taskId}: ${JSON.stringify(r)}`));
    got.filter((r) => r.result.status !== 'working').forEach((r) => { done[r.result.taskId] = r.result; });
    pending = pending.filter((t) => !done[t.taskId]);
  }
  return done;
}

run(async () => {
  const token = randomBytes(24).toString('base64url');
  const local = await startTasksLocal(['--max-connections', '1024']);
  const server = await startHttpServe(lambdaEnv(local.url, { LAMBDA_MCP_AUTH_TOKEN: token }));
  try {
    const idle = memoryMb(server.child.pid, 'VmRSS');
    const start = Date.now();
    const answers = await Promise.all(Array.from({ length: COUNT }, (_, i) => postModern(server.url, token,
      'tools/call', { name: 'slow2', arguments: { i, tag: `task-${i}` } }, { ...TASKS_EXTENSION, id: i + 1 })));
    const created = answers.map((r, i) => {
      assert(r.result?.resultType === 'task', `call ${i}: a CreateTaskResult: ${JSON.stringify(r)}`);
      return r.result;
    });
    const createdMs = Date.now() - start;
    assertEqual(new Set(created.map((t) => t.taskId)).size, COUNT, 'distinct task ids');

    const done = await pollAll(server.url, token, created, 40_000);
    const wallMs = Date.now() - start;
    created.forEach((t, i) => {
      const task = done[t.taskId];
      assertEqual(task.status, 'completed', `task ${i}: ${JSON.stringify(task)}`);
      const payload = JSON.parse(task.result.content.find((b) => b.type === 'text').text);
      assertEqual(payload, { i, tag: `task-${i}` }, `task ${i} has its own result`);
    });
    assertEqual((await stats(local.url)).functions['mcp-slow2'].invocations, COUNT, 'one Invoke per task');
    const lastCreated = Math.max(...created.map((t) => Date.parse(t.createdAt)));
    const firstEnded = Math.min(...Object.values(done).map((t) => Date.parse(t.lastUpdatedAt)));
    const rss = memoryMb(server.child.pid, 'VmHWM');
    console.log(`tasks load: ${COUNT} tasks of a 2 s function created in ${createdMs} ms, all completed in ` +
      `${wallMs} ms; all working at once for ${firstEnded - lastCreated} ms; lambda-mcp peak RSS ` +
      `${rss.toFixed(1)} MB (${idle.toFixed(1)} MB before the tasks)`);
    assert(lastCreated < firstEnded, `all ${COUNT} tasks were working at one moment: the last was created at ` +
      `${new Date(lastCreated).toISOString()}, the first ended at ${new Date(firstEnded).toISOString()}`);
    assert(rss < RSS_LIMIT_MB, `lambda-mcp's peak RSS ${rss.toFixed(1)} MB < ${RSS_LIMIT_MB} MB`);
  } catch (e) {
    console.error(server.log().slice(-3000));
    throw e;
  } finally {
    await server.stop();
    local.proc.kill('SIGTERM');
  }
});

// MCP tasks for long Lambda work end to end (issue 15), against `lambda-mcp local` serving tasks_template.yaml
// (slow20: 20 s, slow2: 2 s, both mcp:task-support=optional; fire: mcp:invocation-type=Event) and
// `lambda-mcp serve --http` with two token principals (alice, bob):
//  a. the pinned SDK 1.32.2 (2025-11-25), request timeout 5 s, calls slow20 as a task: the task comes back at
//     once, tasks/get is polled to completion and tasks/result gives the real result; tools/list says
//     execution.taskSupport "optional"; a task outlives the client that created it;
//  b. the same call without a task ends in the client's request timeout;
//  c. tasks/cancel: the task says cancelled and that the function may still have run, and the endpoint
//     counts the Invoke aborted;
//  d. bob gets not-found (-32602) for alice's tasks on tasks/get, tasks/result and tasks/cancel, and his
//     tasks/list does not show them;
//  e. 2026-07-28 raw over HTTP: with the io.modelcontextprotocol/tasks extension a tools/call of slow2 is a
//     task (resultType "task") whose tasks/get inlines the result; without it the same call is synchronous;
//     tasks/get's Mcp-Name must be the task id;
//  f. the Event tool answers accepted with a request id, and the endpoint counts an Event invocation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CallToolResultSchema, assert, assertEqual, run } from '../client/common.mjs';
import { connectWithToken, lambdaEnv, postModern, startHttpServe, startTasksLocal, stats, writeTokens }
  from './local.mjs';

const TIMEOUT = { timeout: 5_000 };  // the client's request timeout, far below slow20's 20 s
const TTL_MS = 300_000;  // the task.ttl the 2025-11-25 client asks for
const TASKS_EXTENSION = { 'io.modelcontextprotocol/tasks': {} };
const NOT_FOUND = -32602;
const REQUEST_TIMEOUT = -32001;  // the SDK's McpError code when a request times out
const HEADER_MISMATCH = -32020;

const text = (result) => result.content.filter((b) => b.type === 'text').map((b) => b.text).join('\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fnStats = async (url, fn) => (await stats(url)).functions[fn] ?? {};

// Polls `probe` (async, truthy when done) every 100 ms until it holds or `ms` pass; returns its last value.
async function until(probe, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await sleep(100);
  }
}

// The JSON-RPC error code a promise rejects with (it must reject).
async function errorCode(promise, what) {
  try {
    await promise;
  } catch (e) {
    return e.code;
  }
  throw new Error(`${what} succeeded; expected an error`);
}

// Creates a task for `name` through the SDK's task stream and stops there: resolves to the created task.
async function createTask(client, name, args) {
  const stream = client.experimental.tasks.callToolStream({ name, arguments: args }, undefined,
    { ...TIMEOUT, task: { ttl: TTL_MS } });
  const first = (await stream.next()).value;
  await stream.return();
  assertEqual(first.type, 'taskCreated', `tools/call ${name} as a task: ${JSON.stringify(first)}`);
  return first.task;
}

// a. slow20 as a task, followed to its result by the SDK's own polling; resolves to what it saw.
async function slowTask(alice) {
  const start = Date.now();
  const seen = { polls: 0 };
  const stream = alice.experimental.tasks.callToolStream({ name: 'slow20', arguments: { n: 21, word: 'tasks' } },
    undefined, { ...TIMEOUT, task: { ttl: TTL_MS } });
  for await (const message of stream) {
    if (message.type === 'taskCreated') {
      seen.task = message.task;
      seen.createdAfterMs = Date.now() - start;
    } else if (message.type === 'taskStatus') {
      seen.polls += 1;
      seen.status = message.task.status;
    } else if (message.type === 'result') {
      seen.result = message.result;
    } else {
      throw new Error(`slow20 task: ${message.error}`);
    }
  }
  seen.elapsedMs = Date.now() - start;
  return seen;
}

function checkSlowTask(seen) {
  assert(seen.task && seen.createdAfterMs < 3_000, `the task came back at once (${seen.createdAfterMs} ms)`);
  assertEqual([seen.task.status, typeof seen.task.taskId, typeof seen.task.pollInterval, seen.task.ttl],
    ['working', 'string', 'number', TTL_MS], `CreateTaskResult: ${JSON.stringify(seen.task)}`);
  assert(seen.polls >= 2 && seen.status === 'completed', `tasks/get polled to completion (${seen.polls} polls)`);
  assert(seen.elapsedMs >= 20_000, `the result took the function's 20 s (${seen.elapsedMs} ms)`);
  assert(!seen.result.isError, `slow20's result: ${JSON.stringify(seen.result)}`);
  assertEqual(JSON.parse(text(seen.result)), { doubled: 42, shout: 'TASKS', slept: 20 }, 'the real result');
  console.log(`ok   a. slow20 as a task: created in ${seen.createdAfterMs} ms, ${seen.polls} tasks/get, ` +
    `tasks/result after ${seen.elapsedMs} ms`);
}

// c. tasks/cancel aborts the Invoke.
async function cancelCase(alice, localUrl) {
  const task = await createTask(alice, 'slow20', { n: 1, word: 'cancel me' });
  // Both slow20 Invokes (a's and this one) are in flight before the cancel.
  await until(async () => (await fnStats(localUrl, 'mcp-slow20')).invocations === 2, 10_000, 'two slow20 Invokes');
  const cancelled = await alice.experimental.tasks.cancelTask(task.taskId, TIMEOUT);
  assertEqual(cancelled.status, 'cancelled', `tasks/cancel answers the cancelled task: ${JSON.stringify(cancelled)}`);
  const got = await alice.experimental.tasks.getTask(task.taskId, TIMEOUT);
  assertEqual(got.status, 'cancelled', `tasks/get after the cancel: ${JSON.stringify(got)}`);
  assert(/may (still )?have run/i.test(got.statusMessage ?? ''),
    `the statusMessage says the function may still have run: ${JSON.stringify(got)}`);
  const aborted = await until(async () => (await fnStats(localUrl, 'mcp-slow20')).aborted, 10_000,
    'the endpoint to count the aborted Invoke');
  assertEqual(aborted, 1, 'the endpoint counts one aborted slow20 Invoke');
  console.log(`ok   c. tasks/cancel: cancelled, "${got.statusMessage}", the endpoint counts the Invoke aborted`);
  return task;
}

// d. Another principal cannot see, read or cancel alice's tasks.
async function ownershipCase(alice, bob, taskIds) {
  for (const id of taskIds) {
    assertEqual(await errorCode(bob.experimental.tasks.getTask(id, TIMEOUT), 'bob tasks/get'), NOT_FOUND,
      'bob tasks/get on alice\'s task');
    assertEqual(await errorCode(bob.experimental.tasks.getTaskResult(id, CallToolResultSchema, TIMEOUT),
      'bob tasks/result'), NOT_FOUND, 'bob tasks/result on alice\'s task');
    assertEqual(await errorCode(bob.experimental.tasks.cancelTask(id, TIMEOUT), 'bob tasks/cancel'), NOT_FOUND,
      'bob tasks/cancel on alice\'s task');
  }
  const bobs = (await bob.experimental.tasks.listTasks(undefined, TIMEOUT)).tasks.map((t) => t.taskId);
  assert(taskIds.every((id) => !bobs.includes(id)), `bob's tasks/list shows none of alice's: ${bobs}`);
  const alices = (await alice.experimental.tasks.listTasks(undefined, TIMEOUT)).tasks.map((t) => t.taskId);
  assert(taskIds.every((id) => alices.includes(id)), `alice's tasks/list shows hers: ${alices}`);
  console.log(`ok   d. bob gets -32602 on tasks/get|result|cancel of ${taskIds.length} tasks of alice's, ` +
    'and his tasks/list does not show them');
}

// A task outlives the client that created it: another connection of the same principal reads its result.
async function survivesDisconnect(serverUrl, token, alice) {
  const creator = await connectWithToken(serverUrl, token, 'tasks-e2e-gone');
  const task = await createTask(creator, 'slow2', { survives: true });
  await creator.close();
  await until(async () => (await alice.experimental.tasks.getTask(task.taskId, TIMEOUT)).status === 'completed',
    15_000, 'the orphaned task to complete');
  const result = await alice.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema, TIMEOUT);
  assertEqual(JSON.parse(text(result)), { survives: true }, 'its result, read by another connection');
  console.log('ok   a. a task outlives its client\'s connection');
}

// b. The same call without a task: the client gives up after its 5 s.
async function timeoutCase(alice) {
  const start = Date.now();
  const code = await errorCode(alice.callTool({ name: 'slow20', arguments: { n: 2 } }, undefined, TIMEOUT),
    'plain tools/call of slow20');
  const elapsed = Date.now() - start;
  assertEqual(code, REQUEST_TIMEOUT, 'the plain call ends in the client\'s request timeout');
  assert(elapsed >= 5_000 && elapsed < 8_000, `after the 5 s timeout (${elapsed} ms)`);
  console.log(`ok   b. the same call without a task: request timeout (${code}) after ${elapsed} ms`);
}

// e. The 2026-07-28 extension, raw: a task with its result inlined in tasks/get; synchronous without it.
async function modernCase(serverUrl, tokens) {
  const args = { era: '2026-07-28', k: 7 };
  const call = (extensions) => postModern(serverUrl, tokens.alice, 'tools/call', { name: 'slow2', arguments: args },
    { extensions });
  const start = Date.now();
  const [created, plain] = await Promise.all([call(TASKS_EXTENSION), call({})]);
  const task = created.result;
  assert(task && task.resultType === 'task' && typeof task.taskId === 'string' && task.status === 'working',
    `with the extension: a CreateTaskResult: ${JSON.stringify(created)}`);
  assert(Number.isInteger(task.ttlMs) && Number.isInteger(task.pollIntervalMs),
    `ttlMs, pollIntervalMs: ${JSON.stringify(task)}`);
  const get = (token) => postModern(serverUrl, token, 'tasks/get', { taskId: task.taskId },
    { extensions: TASKS_EXTENSION });
  const done = await until(async () => {
    const r = await get(tokens.alice);
    assert(r.result, `tasks/get: ${JSON.stringify(r)}`);
    return r.result.status === 'working' ? null : r.result;
  }, 15_000, 'the 2026 task to end');
  assertEqual([done.status, done.resultType], ['completed', 'complete'], `tasks/get: ${JSON.stringify(done)}`);
  assert(done.result && !done.result.isError, `the result is inlined: ${JSON.stringify(done)}`);
  assertEqual(JSON.parse(text(done.result)), args, 'the inlined result is slow2\'s');
  const misrouted = await postModern(serverUrl, tokens.alice, 'tasks/get', { taskId: task.taskId },
    { extensions: TASKS_EXTENSION, headers: { 'Mcp-Name': 'another-task' } });
  assertEqual([misrouted.httpStatus, misrouted.error?.code], [400, HEADER_MISMATCH],
    `Mcp-Name must be the taskId: ${JSON.stringify(misrouted)}`);
  const foreign = await get(tokens.bob);
  assertEqual([foreign.httpStatus, foreign.error?.code], [400, NOT_FOUND],
    `bob's tasks/get of alice's 2026 task: ${JSON.stringify(foreign)}`);

  assert(plain.result && plain.result.resultType !== 'task' && !plain.result.isError,
    `without the extension: a plain result: ${JSON.stringify(plain)}`);
  assertEqual(JSON.parse(text(plain.result)), args, 'the synchronous result is slow2\'s');
  console.log(`ok   e. 2026-07-28: resultType "task", tasks/get inlines the result (${Date.now() - start} ms); ` +
    'without the extension the call is synchronous; Mcp-Name is checked; bob gets -32602');
}

// f. The Event tool: accepted, with a request id; the endpoint runs it as an Event invocation.
async function eventCase(alice, localUrl) {
  const result = await alice.callTool({ name: 'fire', arguments: { label: 'e2e' } }, undefined, TIMEOUT);
  const said = text(result);
  assert(!result.isError && /accepted/i.test(said), `the Event tool says accepted: ${JSON.stringify(result)}`);
  assert(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(said),
    `it gives the request id: ${said}`);
  const events = await until(async () => (await fnStats(localUrl, 'mcp-fire')).by_type?.Event, 10_000,
    'the endpoint to count the Event invocation');
  assertEqual([events, (await fnStats(localUrl, 'mcp-fire')).invocations], [1, 1], 'one Event invocation of fire');
  console.log(`ok   f. the Event tool: ${JSON.stringify(said.slice(0, 120))}; the endpoint ran it as Event`);
}

run(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lmcp-tasks-'));
  const tokens = writeTokens(dir, ['alice', 'bob']);
  const config = path.join(dir, 'tasks.yaml');
  writeFileSync(config, 'principals:\n  tokens: [{name: alice, file: alice.token}, {name: bob, file: bob.token}]\n');
  const local = await startTasksLocal();
  const server = await startHttpServe(lambdaEnv(local.url, { XDG_STATE_HOME: dir }), ['--config', config]);
  const clients = [];
  try {
    const alice = await connectWithToken(server.url, tokens.alice, 'tasks-e2e');
    const bob = await connectWithToken(server.url, tokens.bob, 'tasks-e2e');
    clients.push(alice, bob);
    assert(alice.getServerCapabilities().tasks?.requests?.tools?.call,
      `the server announces task-augmented tools/call: ${JSON.stringify(alice.getServerCapabilities())}`);
    const { tools } = await alice.listTools();
    const support = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport ?? 'forbidden']));
    assertEqual([support.slow20, support.slow2, support.fire], ['optional', 'optional', 'forbidden'],
      `execution.taskSupport in tools/list: ${JSON.stringify(tools)}`);

    const slow = slowTask(alice);
    slow.catch(() => {});  // awaited below; a failure before that must not end the process unreported
    const cancelled = await cancelCase(alice, local.url);
    const running = await until(async () => (await alice.experimental.tasks.listTasks(undefined, TIMEOUT)).tasks
      .find((t) => t.status === 'working'), 5_000, 'slow20 task in alice\'s tasks/list');
    await ownershipCase(alice, bob, [running.taskId, cancelled.taskId]);
    await Promise.all([timeoutCase(alice), modernCase(server.url, tokens), eventCase(alice, local.url),
      survivesDisconnect(server.url, tokens.alice, alice)]);
    checkSlowTask(await slow);
  } catch (e) {
    console.error(server.log().slice(-3000));
    throw e;
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await server.stop();
    local.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

// SDK client over stdio: cancel a slow call (the SDK sends notifications/cancelled on abort); the server keeps
// serving, and many calls can be in flight at once and complete in any order.
import { assert, assertEqual, connect, run } from './common.mjs';

run(async () => {
  const { client } = await connect();

  // Cancel a 60 s call after its first progress notification.
  const controller = new AbortController();
  let progressSeen = 0;
  const slow = client.callTool({ name: 'test_slow', arguments: { ms: 60000 } }, undefined, {
    signal: controller.signal,
    onprogress: () => {
      progressSeen += 1;
      if (progressSeen === 1) controller.abort('user cancelled');
    },
  });
  let rejected = false;
  try {
    await slow;
  } catch {
    rejected = true;
  }
  assert(rejected, 'cancelled call rejects');
  await client.ping();

  // Concurrent calls: a slow one started first finishes after a fast one started later.
  const order = [];
  const long = client.callTool({ name: 'test_slow', arguments: { ms: 1000 } }).then(() => order.push('slow'));
  const quick = client.callTool({ name: 'test_simple_text', arguments: {} }).then(() => order.push('fast'));
  const many = Array.from({ length: 20 }, () => client.callTool({ name: 'test_simple_text', arguments: {} }));
  await Promise.all([long, quick, ...many]);
  assertEqual(order, ['fast', 'slow'], 'responses in completion order');

  await client.close();
});

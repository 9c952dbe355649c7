// SDK client over stdio: log notifications filtered by logging/setLevel, progress notifications for a
// progressToken, all before the call's response.
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { assertEqual, connect, run } from './common.mjs';

run(async () => {
  const { client } = await connect();
  const logs = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params));

  await client.setLoggingLevel('debug');
  const r = await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  assertEqual(r.content[0].text, 'Logging tool execution completed.', 'logging tool result');
  assertEqual(logs.map((l) => [l.level, l.data]), [
    ['info', 'Tool execution started'], ['info', 'Tool processing data'], ['info', 'Tool execution completed'],
  ], 'log notifications before the response');

  // Above the threshold nothing arrives.
  logs.length = 0;
  await client.setLoggingLevel('error');
  await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  await client.ping();
  assertEqual(logs, [], 'no info logs at level error');

  const progress = [];
  const p = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined,
    { onprogress: (n) => progress.push([n.progress, n.total]) });
  assertEqual(p.content[0].text, 'Progress tool execution completed.', 'progress tool result');
  assertEqual(progress, [[0, 100], [50, 100], [100, 100]], 'progress notifications');

  await client.close();
});

// SDK client over stdio: initialize, list the fixture tools, call each one and check its exact output,
// including sampling and elicitation answered by this client.
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { assert, assertEqual, connect, listAllToolNames, run } from './common.mjs';

const EXPECTED_TOOLS = [
  'test_simple_text', 'test_image_content', 'test_audio_content', 'test_embedded_resource',
  'test_multiple_content_types', 'test_tool_with_logging', 'test_tool_with_progress', 'test_error_handling',
  'test_sampling', 'test_elicitation', 'test_elicitation_sep1034_defaults', 'test_elicitation_sep1330_enums',
  'json_schema_2020_12_tool',
  // The 2026-07-28 scenarios' fixtures, listed in both eras.
  'test_missing_capability', 'test_streaming_elicitation', 'test_logging_tool', 'test_trigger_tool_change',
  'test_custom_headers', 'test_custom_headers_null', 'test_input_required_result_elicitation',
  'test_input_required_result_sampling', 'test_input_required_result_list_roots',
  'test_input_required_result_request_state', 'test_input_required_result_multiple_inputs',
  'test_input_required_result_multi_round', 'test_input_required_result_tampered_state',
  'test_input_required_result_capabilities',
  // The tasks-* scenarios' fixtures (MCP tasks, both eras).
  'greet', 'slow_compute', 'failing_job', 'protocol_error_job', 'confirm_delete', 'multi_input', 'test_tool_with_task',
];

run(async () => {
  const { client } = await connect({ capabilities: { sampling: {}, elicitation: { form: {} } } });

  // Handshake.
  assertEqual(client.getServerVersion().name, 'lambda-mcp', 'serverInfo.name');
  assert(/^\d+\.\d+\.\d+/.test(client.getServerVersion().version), 'serverInfo.version is a version');
  assertEqual(client.getServerCapabilities(), { logging: {}, tools: { listChanged: true },
    tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } }, 'capabilities');
  assert(client.getInstructions().length > 0, 'instructions present');

  // tools/list, following cursors.
  const names = await listAllToolNames(client);
  assertEqual(names, EXPECTED_TOOLS, 'listed tools');

  const call = (name, args = {}) => client.callTool({ name, arguments: args });

  assertEqual((await call('test_simple_text')).content,
    [{ type: 'text', text: 'This is a simple text response for testing.' }], 'test_simple_text');

  const image = (await call('test_image_content')).content[0];
  assertEqual([image.type, image.mimeType], ['image', 'image/png'], 'image block');
  assert(Buffer.from(image.data, 'base64').subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    'image data is a PNG');

  const audio = (await call('test_audio_content')).content[0];
  assertEqual([audio.type, audio.mimeType], ['audio', 'audio/wav'], 'audio block');
  const wav = Buffer.from(audio.data, 'base64');
  assertEqual([wav.toString('latin1', 0, 4), wav.toString('latin1', 8, 12)], ['RIFF', 'WAVE'], 'audio data is a WAV');
  assertEqual(wav.readUInt32LE(4), wav.length - 8, 'WAV RIFF size');

  assertEqual((await call('test_embedded_resource')).content, [{
    type: 'resource',
    resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' },
  }], 'test_embedded_resource');

  const mixed = (await call('test_multiple_content_types')).content;
  assertEqual(mixed.map((b) => b.type), ['text', 'image', 'resource'], 'mixed block types');
  assertEqual(mixed[0].text, 'Multiple content types test:', 'mixed text');
  assertEqual(mixed[2].resource, { uri: 'test://mixed-content-resource', mimeType: 'application/json',
    text: '{"test":"data","value":123}' }, 'mixed resource');

  const failed = await call('test_error_handling');
  assertEqual(failed.isError, true, 'test_error_handling isError');
  assertEqual(failed.content[0].text, 'This tool intentionally returns an error for testing', 'error text');

  // Server→client requests answered here.
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    assertEqual(request.params.maxTokens, 100, 'sampling maxTokens');
    return { role: 'assistant', model: 'e2e', content: { type: 'text', text: `echo:${request.params.messages[0].content.text}` } };
  });
  const elicitations = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitations.push(request.params);
    if (request.params.requestedSchema.required?.includes('username')) {
      return { action: 'accept', content: { username: 'alice', email: 'alice@example.com' } };
    }
    return { action: 'decline' };
  });
  assertEqual((await call('test_sampling', { prompt: 'Hello' })).content[0].text, 'LLM response: echo:Hello', 'sampling');
  assertEqual((await call('test_elicitation', { message: 'Who are you?' })).content[0].text,
    'User response: action=accept, content={"email":"alice@example.com","username":"alice"}', 'elicitation');
  assertEqual(elicitations[0].message, 'Who are you?', 'elicitation message');
  assertEqual((await call('test_elicitation_sep1034_defaults')).content[0].text,
    'Elicitation completed: action=decline, content={}', 'sep1034');
  assertEqual(elicitations[1].requestedSchema.properties.status.default, 'active', 'sep1034 default');
  await call('test_elicitation_sep1330_enums');
  assertEqual(elicitations[2].requestedSchema.properties.legacyEnum.enumNames.length, 3, 'sep1330 enumNames');

  // Schema pass-through.
  const { tools } = await client.listTools();
  const schema = tools.find((t) => t.name === 'json_schema_2020_12_tool').inputSchema;
  assertEqual(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', '$schema kept');
  assertEqual(schema.$defs.address.$anchor, 'addressDef', '$anchor kept');
  assert(schema.if && schema.then && schema.else && schema.allOf, 'if/then/else/allOf kept');

  // Unknown tool → JSON-RPC -32602 (the SDK throws McpError).
  let code;
  try {
    await call('no_such_tool');
  } catch (err) {
    code = err.code;
  }
  assertEqual(code, -32602, 'unknown tool error code');

  await client.close();
});

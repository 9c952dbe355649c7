// The TypeScript SDK v2 client (@modelcontextprotocol/client 2.4.0, pinned in package.json) for the
// 2026-07-28 e2e scripts: its Client and transports, and a client in one of the two negotiating modes the
// tests use: `pinned` ({ pin: '2026-07-28' }, no fallback) and `auto` (server/discover probe, falls back to
// initialize unless the server answers as a modern one). Fails loudly when the package is missing.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('./node_modules/@modelcontextprotocol/client/', import.meta.url))) {
  console.error('FAIL: @modelcontextprotocol/client (SDK v2) is missing from tests/e2e/client/node_modules; ' +
    'run scripts/setup.sh (or: cd tests/e2e/client && npm ci)');
  process.exit(1);
}
export const { Client, StreamableHTTPClientTransport, ProtocolError, SdkError } =
  await import('@modelcontextprotocol/client');
export const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');

export const MODERN = '2026-07-28';
export const MODES = { pinned: { pin: MODERN }, auto: 'auto' };

// A v2 client negotiating with `mode` (a key of MODES).
export function modernClient(mode, name = 'lmcp-e2e-v2') {
  return new Client({ name, version: '2.4.0' }, { versionNegotiation: { mode: MODES[mode] } });
}

// Connects and checks that the connection settled on the 2026-07-28 era; a server without it fails here
// with the SDK's own message (pinned) or with the version it fell back to (auto).
export async function connectModern(client, transport, mode) {
  try {
    await client.connect(transport, { timeout: 15_000 });
  } catch (e) {
    throw new Error(`${mode}: connect failed (does the server serve ${MODERN}?): ${e.code ?? ''} ${e.message}`);
  }
  const version = client.getNegotiatedProtocolVersion();
  if (version !== MODERN || client.getProtocolEra() !== 'modern') {
    throw new Error(`${mode}: negotiated ${version} (${client.getProtocolEra()} era), expected ${MODERN}`);
  }
}

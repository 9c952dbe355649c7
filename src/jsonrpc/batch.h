#pragma once
// JSON-RPC batches under MCP: which protocol revisions carry them, and how long one may be. Both transports
// check a batch here before handling any element of it. Pure functions; safe from any thread.

#include <cstddef>
#include <optional>
#include <string_view>

#include "jsonrpc/message.h"

namespace lmcp::jsonrpc {

// The most messages one batch may hold. A batch runs its requests side by side and is answered as one
// array, so its length bounds the work and memory one client message can start.
inline constexpr std::size_t kMaxBatchLength = 64;

// True for the MCP revisions that carry JSON-RPC batches: only 2025-03-26 (batching was added in 2025-03-26
// and removed in 2025-06-18; 2024-11-05 had none). False for an empty version (before initialize).
bool AllowsBatches(std::string_view protocol_version);

// Checks a batch (a JSON array) before any element is handled: nullopt when it may be processed, else the
// -32600 error to answer with, under id null: an empty batch, a version without batches, or more than
// kMaxBatchLength messages.
std::optional<RpcError> CheckBatch(const Json& batch, std::string_view protocol_version);

}  // namespace lmcp::jsonrpc

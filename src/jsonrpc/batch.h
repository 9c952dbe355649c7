#pragma once
// JSON-RPC batches: the rules a batch must pass before any element of it is handled, under whatever the
// negotiated MCP revision allows. Which revisions carry batches is MCP knowledge, held in mcp/protocol.h
// (mcp::BatchPolicyFor); this layer owns the checks, their order, the length cap and the errors. Both
// transports check a batch here. Pure functions; safe from any thread.

#include <cstddef>
#include <optional>
#include <string>

#include "jsonrpc/message.h"

namespace lmcp::jsonrpc {

// The most messages one batch may hold. A batch runs its requests side by side and is answered as one
// array, so its length bounds the work and memory one client message can start.
inline constexpr std::size_t kMaxBatchLength = 64;

// What the negotiated protocol revision says about batches.
struct BatchPolicy {
  bool allowed = false;          // the revision carries batches
  std::string protocol_version;  // named in the refusal; empty before initialize
};

// Checks a batch of `size` messages: nullopt when it may be processed, else the -32600 error to answer
// with, under id null. In this order: an empty batch, a revision without batches, more than kMaxBatchLength.
std::optional<RpcError> CheckBatch(std::size_t size, const BatchPolicy& policy);

// The size rules alone (empty, over kMaxBatchLength), for a transport that refuses an oversized batch before
// it knows the session, and so the revision.
std::optional<RpcError> CheckBatchSize(std::size_t size);

}  // namespace lmcp::jsonrpc

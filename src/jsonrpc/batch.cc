#include "jsonrpc/batch.h"

#include <string>

namespace lmcp::jsonrpc {

bool AllowsBatches(std::string_view protocol_version) { return protocol_version == "2025-03-26"; }

std::optional<RpcError> CheckBatch(const Json& batch, std::string_view protocol_version) {
  if (batch.empty()) {
    return RpcError::InvalidRequest("Invalid Request: empty batch");
  }
  if (!AllowsBatches(protocol_version)) {
    return RpcError::InvalidRequest(
        "Invalid Request: JSON-RPC batches are not supported in protocol version " +
        (protocol_version.empty() ? std::string("(none yet)") : std::string(protocol_version)) +
        "; send one message at a time");
  }
  if (batch.size() > kMaxBatchLength) {
    return RpcError::InvalidRequest("Invalid Request: a batch may hold at most " +
                                    std::to_string(kMaxBatchLength) + " messages; this one has " +
                                    std::to_string(batch.size()));
  }
  return std::nullopt;
}

}  // namespace lmcp::jsonrpc

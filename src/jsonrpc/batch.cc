#include "jsonrpc/batch.h"

namespace lmcp::jsonrpc {
namespace {

RpcError Empty() { return RpcError::InvalidRequest("Invalid Request: empty batch"); }

RpcError TooLong(std::size_t size) {
  return RpcError::InvalidRequest("Invalid Request: a batch may hold at most " +
                                  std::to_string(kMaxBatchLength) + " messages; this one has " +
                                  std::to_string(size));
}

}  // namespace

std::optional<RpcError> CheckBatch(std::size_t size, const BatchPolicy& policy) {
  if (size == 0) {
    return Empty();
  }
  if (!policy.allowed) {
    return RpcError::InvalidRequest(
        "Invalid Request: JSON-RPC batches are not supported in protocol version " +
        (policy.protocol_version.empty() ? std::string("(none yet)") : policy.protocol_version) +
        "; send one message at a time");
  }
  if (size > kMaxBatchLength) {
    return TooLong(size);
  }
  return std::nullopt;
}

std::optional<RpcError> CheckBatchSize(std::size_t size) {
  if (size == 0) {
    return Empty();
  }
  if (size > kMaxBatchLength) {
    return TooLong(size);
  }
  return std::nullopt;
}

}  // namespace lmcp::jsonrpc

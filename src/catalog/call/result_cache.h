#pragma once
// Stage: the result cache (ResultCacheOptions) for tools marked cacheable: the function's mcp:cache-ttl tag
// (seconds) or a configured rule; mcp:cache-shared=true (or the rule's `shared`) leaves the principal out
// of the key. The key hashes the target, function, qualifier, the event as canonical JSON (sorted keys, as
// BuildInvokeRequest wrote it) and, unless shared, the principal. A hit leaves the stored response for
// MapResult, so it is mapped for each caller's protocol revision; nothing is invoked and the audit outcome
// is `cache_hit`. Only successful answers are stored: no FunctionError, no isError payload, no input
// request; a retry that carries input responses is never served from or stored in the cache, nor is a call of
// an Event tool (mcp:invocation-type=Event: its Invoke is the point).

#include <memory>

#include "catalog/call/call.h"
#include "catalog/call/result_cache_store.h"
#include "catalog/guardrail_options.h"

namespace lmcp::catalog {

struct CachePolicy {
  std::chrono::seconds ttl{0};  // 0 = not cached
  bool shared = false;
};

class ResultCache final : public CallStage {
 public:
  ResultCache(ResultCacheOptions options, Clock& clock, std::shared_ptr<ResultCacheStore> store);
  std::string_view name() const override { return "result_cache"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override;

  // The tool's tags over the first matching rule; no TTL when neither says.
  CachePolicy PolicyFor(const ToolEntry& entry) const;

 private:
  const ResultCacheOptions options_;
  Clock& clock_;
  std::shared_ptr<ResultCacheStore> store_;
  Counter hits_;
  Counter misses_;
  Counter stores_;
  mutable Counter bad_tags_;
};

// The cache key of a call (hex SHA-256): target, function ARN, qualifier, principal (empty when shared) and
// the event text.
std::string ResultCacheKey(const LambdaCall& call, bool shared);
// Whether what Lambda answered may be stored: a 2xx without FunctionError whose payload is not an MCP
// result with isError true, nor an input request.
bool IsCacheableResponse(const InvokeResponse& response);

}  // namespace lmcp::catalog

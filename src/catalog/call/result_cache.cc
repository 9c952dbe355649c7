#include "catalog/call/result_cache.h"

#include <fnmatch.h>
#include <spdlog/spdlog.h>

#include "common/crypto.h"
#include "common/json.h"
#include "common/log_text.h"
#include "common/strings.h"

namespace lmcp::catalog {

ResultCache::ResultCache(ResultCacheOptions options, Clock& clock, std::shared_ptr<ResultCacheStore> store)
    : options_(std::move(options)), clock_(clock), store_(std::move(store)) {
  if (!store_) {
    store_ = std::make_shared<InMemoryResultCache>(options_.max_entries, options_.max_bytes,
                                                   options_.max_entry_bytes);
  }
}

StageCounters ResultCache::counters() const {
  CacheStats s = store_->stats();
  return {{"hits", hits_.value()},         {"misses", misses_.value()},
          {"stores", stores_.value()},     {"evictions", s.evictions},
          {"expirations", s.expirations},  {"too_large", s.too_large},
          {"entries", s.entries},          {"bytes", s.bytes},
          {"bad_tags", bad_tags_.value()}, {"store_errors", s.store_errors}};
}

CachePolicy ResultCache::PolicyFor(const ToolEntry& entry) const {
  CachePolicy policy;
  for (const CacheRule& rule : options_.tools) {
    if (fnmatch(rule.glob.c_str(), entry.definition.name.c_str(), 0) == 0) {
      policy = {rule.ttl, rule.shared};
      break;
    }
  }
  if (!options_.tool_tags) {
    return policy;
  }
  if (auto tag = entry.tags.find(std::string(kCacheTtlTag)); tag != entry.tags.end()) {
    auto ttl = ParseCacheTtl(tag->second);
    if (ttl.ok()) {
      policy.ttl = *ttl;
    } else {
      if (bad_tags_.value() % 1000 == 0) {  // not once per call
        spdlog::warn("tool {}: ignoring its {} tag: {}", ForLog(entry.definition.name), kCacheTtlTag,
                     ForLog(ttl.error().message));
      }
      bad_tags_.Add();
    }
  }
  if (auto tag = entry.tags.find(std::string(kCacheSharedTag)); tag != entry.tags.end()) {
    policy.shared = IEquals(Trim(tag->second), "true");
  }
  return policy;
}

std::string ResultCacheKey(const LambdaCall& call, bool shared) {
  const ToolEntry& entry = *call.entry;
  std::string key;
  for (std::string_view part : {std::string_view(entry.target), std::string_view(entry.function.arn),
                                std::string_view(entry.qualifier),
                                shared ? std::string_view() : std::string_view(call.ctx.principal())}) {
    key.append(std::to_string(part.size())).append(1, ':').append(part);  // length-prefixed: unambiguous
  }
  key.append(Sha256Hex(call.request.payload));
  return Sha256Hex(key);
}

bool IsCacheableResponse(const InvokeResponse& response) {
  if (response.status < 200 || response.status >= 300 || !response.function_error.empty()) {
    return false;
  }
  const std::string_view payload = Trim(response.payload);
  if (!payload.starts_with('{') || (payload.find("\"isError\"") == std::string_view::npos &&
                                    payload.find("\"resultType\"") == std::string_view::npos)) {
    return true;  // cannot be an MCP error result or an input request
  }
  nlohmann::json value = ParseJsonOrDiscarded(payload);
  if (!value.is_object()) {
    return true;
  }
  auto is_error = value.find("isError");
  auto type = value.find("resultType");
  return !(is_error != value.end() && *is_error == true) &&
         !(type != value.end() && *type == "input_required");
}

Async<CallResult> ResultCache::Handle(LambdaCall& call, const CallNext& next) {
  const CachePolicy policy = PolicyFor(*call.entry);
  // An Event tool's call is a side effect with no result: serving it from the cache would skip the Invoke.
  if (policy.ttl.count() <= 0 || !call.ctx.input_responses().is_null() ||
      call.entry->invocation_type == InvocationType::kEvent) {
    co_return co_await next(call);
  }
  const std::string key = ResultCacheKey(call, policy.shared);
  const Clock::SteadyTime now = clock_.Steady();
  if (auto hit = store_->Get(key, now)) {
    hits_.Add();
    CallRecord& record = call.record;
    record.outcome = "cache_hit";
    record.responded = true;
    record.response_bytes = hit->response.payload.size();
    record.executed_version = hit->response.executed_version;
    record.detail =
        "served from the result cache (stored " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - hit->stored).count()) +
        " s ago by request " + hit->response.request_id + "); the function was not invoked";
    call.response.emplace(hit->response);  // a copy: MapResult moves the payload into the result
    co_return mcp::ToolResult{};
  }
  misses_.Add();
  CallResult result = co_await next(call);
  if (result.ok() && call.response.has_value() && call.response->ok() &&
      IsCacheableResponse(call.response->value())) {
    const Clock::SteadyTime stored_at = clock_.Steady();
    auto stored = std::make_shared<CachedResult>(CachedResult{call.response->value(), stored_at});
    stored->response.log_tail.clear();
    store_->Put(key, std::move(stored), stored_at + policy.ttl);
    stores_.Add();
  }
  co_return result;
}

}  // namespace lmcp::catalog

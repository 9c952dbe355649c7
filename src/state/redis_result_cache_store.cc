#include "state/redis_result_cache_store.h"

#include <spdlog/spdlog.h>

#include <charconv>

namespace lmcp::state {
namespace {

void Field(std::string& out, std::string_view value) {
  out.append(std::to_string(value.size())).append(1, ':').append(value);
}

std::optional<std::string_view> NextField(std::string_view& in) {
  auto colon = in.find(':');
  size_t n = 0;
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  auto [end, ec] = std::from_chars(in.data(), in.data() + colon, n);
  if (ec != std::errc() || end != in.data() + colon || in.size() - colon - 1 < n) {
    return std::nullopt;
  }
  std::string_view value = in.substr(colon + 1, n);
  in.remove_prefix(colon + 1 + n);
  return value;
}

long long WallMs(Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
}

}  // namespace

std::string EncodeCachedResponse(const catalog::InvokeResponse& r, long long stored_ms) {
  std::string out = "1:";
  out.reserve(r.payload.size() + r.request_id.size() + 64);
  Field(out, std::to_string(r.status));
  Field(out, r.function_error);
  Field(out, r.executed_version);
  Field(out, r.request_id);
  Field(out, std::to_string(stored_ms));
  Field(out, r.payload);
  return out;
}

std::optional<std::pair<catalog::InvokeResponse, long long>> DecodeCachedResponse(std::string_view in) {
  if (!in.starts_with("1:")) {
    return std::nullopt;
  }
  in.remove_prefix(2);
  std::optional<std::string_view> f[6];
  for (auto& field : f) {
    field = NextField(in);
    if (!field) {
      return std::nullopt;
    }
  }
  catalog::InvokeResponse r;
  long long stored = 0;
  auto [e1, c1] = std::from_chars(f[0]->data(), f[0]->data() + f[0]->size(), r.status);
  auto [e2, c2] = std::from_chars(f[4]->data(), f[4]->data() + f[4]->size(), stored);
  if (c1 != std::errc() || c2 != std::errc() || !in.empty()) {
    return std::nullopt;
  }
  r.function_error = std::string(*f[1]);
  r.executed_version = std::string(*f[2]);
  r.request_id = std::string(*f[3]);
  r.payload = std::string(*f[5]);
  return std::make_pair(std::move(r), stored);
}

RedisResultCacheStore::RedisResultCacheStore(std::shared_ptr<RedisClient> redis, std::size_t max_entry_bytes,
                                             Clock& clock, std::string prefix)
    : redis_(std::move(redis)),
      max_entry_bytes_(max_entry_bytes),
      clock_(clock),
      prefix_(std::move(prefix)) {}

std::shared_ptr<const catalog::CachedResult> RedisResultCacheStore::Get(const std::string& key,
                                                                        Clock::SteadyTime now) {
  auto reply = redis_->Command({"GET", prefix_ + "cache:" + key});
  if (!reply.ok()) {
    errors_.fetch_add(1);
    return nullptr;
  }
  if (reply->nil()) {
    return nullptr;
  }
  auto decoded = DecodeCachedResponse(reply->str);
  if (!decoded) {
    errors_.fetch_add(1);
    return nullptr;
  }
  // The age by the wall clock (replicas share it), as a steady time on this replica.
  auto age = std::chrono::milliseconds(std::max(0LL, WallMs(clock_) - decoded->second));
  return std::make_shared<catalog::CachedResult>(catalog::CachedResult{std::move(decoded->first), now - age});
}

void RedisResultCacheStore::Put(const std::string& key, std::shared_ptr<const catalog::CachedResult> value,
                                Clock::SteadyTime expires) {
  const std::size_t bytes = value->response.payload.size() + key.size();
  if (bytes > max_entry_bytes_) {
    too_large_.fetch_add(1);
    return;
  }
  auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(expires - clock_.Steady());
  if (ttl.count() <= 0) {
    return;
  }
  auto stored_ms =
      WallMs(clock_) -
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Steady() - value->stored).count();
  auto reply =
      redis_->Command({"SET", prefix_ + "cache:" + key, EncodeCachedResponse(value->response, stored_ms),
                       "PX", std::to_string(ttl.count())});
  if (!reply.ok()) {
    errors_.fetch_add(1);
  }
}

catalog::CacheStats RedisResultCacheStore::stats() const {
  catalog::CacheStats s;
  s.too_large = too_large_.load();
  s.store_errors = errors_.load();
  return s;
}

}  // namespace lmcp::state

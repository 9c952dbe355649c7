#pragma once
// Guardrails of the tools/call chain as configured (issue 17): rate limits and concurrent-call caps, the
// circuit breaker, the result cache. Plain values: nothing is limited, broken or cached by default, except
// what a function's own tags ask for (mcp:rate-limit, mcp:cache-ttl, mcp:cache-shared; tool_tags = false
// ignores them). The config file fills them in; the stages in catalog/call/ (rate_limit, circuit_breaker,
// result_cache) enforce them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmcp::catalog {

// The function tags the guardrails read.
inline constexpr std::string_view kRateLimitTag = "mcp:rate-limit";      // "10/s", "100/m", "5/s,burst=20"
inline constexpr std::string_view kCacheTtlTag = "mcp:cache-ttl";        // seconds, "300"; 0 = not cached
inline constexpr std::string_view kCacheSharedTag = "mcp:cache-shared";  // "true": one entry for everyone

// A token bucket: `count` requests per `per` (a second or a minute), up to `burst` at once.
struct Rate {
  std::uint32_t count = 0;  // 0 = no limit
  std::chrono::seconds per{1};
  std::uint32_t burst = 0;  // the bucket's size; 0 = count

  bool enabled() const { return count > 0; }
  std::uint32_t capacity() const { return burst > 0 ? burst : count; }
  double per_second() const { return static_cast<double>(count) / static_cast<double>(per.count()); }
  std::string ToString() const;  // "10/s", "100/m", "10/s,burst=20"
  bool operator==(const Rate&) const = default;
};

// "10/s", "10/sec", "100/m", "100/min", optionally ",burst=N" (N >= 1). kInvalidArgument names the problem.
Result<Rate> ParseRate(std::string_view text);

// A rate for the tools or principals whose name matches a glob (fnmatch: *, ?, [...]).
struct GlobRate {
  std::string glob;
  Rate rate;
};

struct RateLimitOptions {
  Rate global;         // all calls together
  Rate per_principal;  // each principal its own bucket
  Rate per_target;     // each target its own bucket
  Rate per_tool;       // each tool its own bucket, unless its tag or `tools` sets another
  // First match wins; over per_principal / per_tool. A tool's mcp:rate-limit tag wins over both.
  std::vector<GlobRate> principals;
  std::vector<GlobRate> tools;
  int max_concurrent_per_principal = 0;  // calls of one principal running at once; 0 = unlimited
  int max_concurrent_per_tool = 0;       // calls of one tool running at once; 0 = unlimited
  // Honour mcp:rate-limit tags. On by default: a function owner's tag works without configuration (the
  // stage then costs one tag lookup per call); off, with nothing configured, the stage is left out.
  bool tool_tags = true;
  // When the bucket store cannot be asked (a shared store that is down): false = refuse the call (closed,
  // the default), true = let it through unlimited (open). Concurrency caps are per process and still apply.
  bool fail_open = false;

  bool enabled() const {
    return tool_tags || global.enabled() || per_principal.enabled() || per_target.enabled() ||
           per_tool.enabled() || !principals.empty() || !tools.empty() || max_concurrent_per_principal > 0 ||
           max_concurrent_per_tool > 0;
  }
};

struct CircuitBreakerOptions {
  bool enabled = false;
  int consecutive_failures = 5;  // opens after this many failures in a row; 0 = never by count
  double failure_rate = 0.5;     // opens when failures / calls over `window` reach this; 0 = never by rate
  std::chrono::seconds window{60};
  int min_calls = 20;                 // the rate counts only with at least this many calls in the window
  std::chrono::seconds cooldown{30};  // open this long, then one probe (half-open)
};

// A cache rule for the tools whose name matches a glob; first match wins, a tool's tags win over it.
struct CacheRule {
  std::string glob;
  std::chrono::seconds ttl{0};  // 0 = not cached
  bool shared = false;          // one entry for every principal
};

struct ResultCacheOptions {
  std::vector<CacheRule> tools;           // cacheable tools by config
  std::size_t max_entries = 10'000;       // LRU beyond either bound
  std::size_t max_bytes = 64 << 20;       // payload bytes held
  std::size_t max_entry_bytes = 1 << 20;  // larger results are not stored
  bool tool_tags = true;                  // honour mcp:cache-ttl / mcp:cache-shared tags (as tool_tags above)

  bool enabled() const { return tool_tags || !tools.empty(); }
};

struct GuardrailOptions {
  RateLimitOptions rate_limits;
  CircuitBreakerOptions breaker;
  ResultCacheOptions cache;
};

// A guardrail's "retry in" wait as seconds with one decimal, rounded up, at least "0.1".
std::string RetryAfterSeconds(std::chrono::nanoseconds wait);

// "300" → 300 s. kInvalidArgument for anything but a whole number of seconds (0..31536000).
Result<std::chrono::seconds> ParseCacheTtl(std::string_view text);

}  // namespace lmcp::catalog

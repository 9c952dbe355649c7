#include "catalog/guardrail_options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "common/strings.h"

namespace lmcp::catalog {
namespace {

// A whole number in [min, max]; nullopt for anything else (signs, spaces, fractions, overflow).
std::optional<std::uint64_t> WholeNumber(std::string_view text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

constexpr std::uint64_t kMaxCount = 1'000'000;

}  // namespace

std::string Rate::ToString() const {
  std::string s = std::to_string(count) + (per.count() == 60 ? "/m" : "/s");
  if (burst > 0 && burst != count) {
    s += ",burst=" + std::to_string(burst);
  }
  return s;
}

Result<Rate> ParseRate(std::string_view text) {
  const std::string_view whole = Trim(text);
  auto bad = [&](const std::string& why) {
    return Error::InvalidArgument("invalid rate '" + std::string(whole) + "': " + why +
                                  " (expected e.g. 10/s, 100/m or 5/s,burst=20)");
  };
  std::string_view rate_part = whole;
  std::string_view burst_part;
  if (auto comma = whole.find(','); comma != std::string_view::npos) {
    rate_part = Trim(whole.substr(0, comma));
    burst_part = Trim(whole.substr(comma + 1));
  }
  auto slash = rate_part.find('/');
  if (slash == std::string_view::npos) {
    return bad("no '/' between the count and the unit");
  }
  auto count = WholeNumber(Trim(rate_part.substr(0, slash)), 1, kMaxCount);
  if (!count) {
    return bad("the count must be a whole number from 1 to 1000000");
  }
  Rate rate;
  rate.count = static_cast<std::uint32_t>(*count);
  const std::string unit = AsciiLower(Trim(rate_part.substr(slash + 1)));
  if (unit == "s" || unit == "sec" || unit == "second") {
    rate.per = std::chrono::seconds(1);
  } else if (unit == "m" || unit == "min" || unit == "minute") {
    rate.per = std::chrono::seconds(60);
  } else {
    return bad("the unit must be s or m");
  }
  if (!burst_part.empty()) {
    auto equals = burst_part.find('=');
    if (equals == std::string_view::npos || AsciiLower(Trim(burst_part.substr(0, equals))) != "burst") {
      return bad("after the comma only burst=N is allowed");
    }
    auto burst = WholeNumber(Trim(burst_part.substr(equals + 1)), 1, kMaxCount);
    if (!burst) {
      return bad("the burst must be a whole number from 1 to 1000000");
    }
    rate.burst = static_cast<std::uint32_t>(*burst);
  }
  return rate;
}

std::string RetryAfterSeconds(std::chrono::nanoseconds wait) {
  const double tenths = std::max(1.0, std::ceil(std::chrono::duration<double>(wait).count() * 10.0 - 1e-9));
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", tenths / 10.0);
  return text;
}

Result<std::chrono::seconds> ParseCacheTtl(std::string_view text) {
  auto ttl = WholeNumber(Trim(text), 0, 365ULL * 24 * 3600);
  if (!ttl) {
    return Error::InvalidArgument("invalid cache TTL '" + std::string(Trim(text)) +
                                  "': expected whole seconds from 0 to 31536000, e.g. 300");
  }
  return std::chrono::seconds(static_cast<std::int64_t>(*ttl));
}

}  // namespace lmcp::catalog

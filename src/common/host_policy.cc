#include "common/host_policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace lmcp {
namespace {

bool IsAllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string HostName(std::string_view authority) {
  authority = Trim(authority, kHttpWhitespace);
  if (authority.empty()) {
    return {};
  }
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return {};
    }
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !IsAllDigits(rest.substr(1)))) {
      return {};
    }
    return AsciiLower(authority.substr(1, close - 1));
  }
  auto colon = authority.find(':');
  std::string_view name = authority.substr(0, colon);
  if (colon != std::string_view::npos && !IsAllDigits(authority.substr(colon + 1))) {
    return {};
  }
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_')) {
      return {};
    }
  }
  return AsciiLower(name);
}

bool IsLoopbackHostName(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1";
}

bool IsLoopbackBindAddress(std::string_view host) {
  std::string name = AsciiLower(host);
  if (name == "localhost") {
    return true;
  }
  in_addr v4{};
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, name.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool IsAllowedHost(const OriginPolicy& policy, std::string_view host_header) {
  std::string name = HostName(host_header);
  if (name.empty()) {
    return false;
  }
  if (policy.allow_loopback && IsLoopbackHostName(name)) {
    return true;
  }
  for (const auto& allowed : policy.allowed_hosts) {
    if (allowed == "*" || AsciiLower(allowed) == name) {
      return true;
    }
  }
  return false;
}

bool IsAllowedOrigin(const OriginPolicy& policy, std::string_view origin_header) {
  std::string_view origin = Trim(origin_header, kHttpWhitespace);
  if (origin.empty()) {
    return true;  // not a browser request
  }
  std::string lower = AsciiLower(origin);
  if (lower == "null") {
    return false;
  }
  for (const auto& allowed : policy.allowed_origins) {
    if (allowed == "*" || AsciiLower(allowed) == lower) {
      return true;
    }
  }
  if (policy.allow_loopback) {
    for (std::string_view scheme : {"http://", "https://"}) {
      if (lower.rfind(scheme, 0) == 0) {
        std::string_view authority = std::string_view(lower).substr(scheme.size());
        if (authority.find('/') != std::string_view::npos) {
          return false;
        }
        return IsLoopbackHostName(HostName(authority));
      }
    }
  }
  return false;
}

}  // namespace lmcp

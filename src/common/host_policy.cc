#include "common/host_policy.h"

#include <algorithm>
#include <cctype>

namespace lmcp {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsAllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string HostName(std::string_view authority) {
  authority = Trim(authority);
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
    return Lower(authority.substr(1, close - 1));
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
  return Lower(name);
}

bool IsLoopbackHostName(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1";
}

bool IsLoopbackBindAddress(std::string_view host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
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
    if (allowed == "*" || Lower(allowed) == name) {
      return true;
    }
  }
  return false;
}

bool IsAllowedOrigin(const OriginPolicy& policy, std::string_view origin_header) {
  std::string_view origin = Trim(origin_header);
  if (origin.empty()) {
    return true;  // not a browser request
  }
  std::string lower = Lower(origin);
  if (lower == "null") {
    return false;
  }
  for (const auto& allowed : policy.allowed_origins) {
    if (allowed == "*" || Lower(allowed) == lower) {
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

#pragma once
// Proxy selection from the environment, the way curl reads it: https_proxy / HTTPS_PROXY for https URLs,
// http_proxy (lower case only: upper-case HTTP_PROXY is ignored for CGI safety) for http URLs, all_proxy /
// ALL_PROXY as the fallback for both, and no_proxy / NO_PROXY to exempt hosts. Pure functions, safe from any
// thread.

#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_config.h"
#include "common/result.h"

namespace lmcp::aws {

struct ProxySettings {
  std::string http_proxy;   // for http:// URLs
  std::string https_proxy;  // for https:// URLs (a CONNECT tunnel, TLS inside)
  std::string no_proxy;     // comma (or space) separated: "*", host names (suffix match), IPs, IPv4 CIDRs

  static ProxySettings FromEnvironment(const EnvLookup& env);
};

// A proxy to go through: an http:// proxy URL ("host:port" alone means http://); port 1080 when absent, as
// curl. User and password in the URL (percent-decoded) become a Basic Proxy-Authorization value.
struct ProxyServer {
  std::string host;  // IPv6 literals without brackets
  int port = 1080;
  std::string authorization;  // "Basic ..." or empty

  std::string Key() const;  // host:port and whether credentials are sent, for connection pooling
};

Result<ProxyServer> ParseProxyUrl(std::string_view url);

// Whether `host` (lower case; IPv6 brackets allowed) is exempted by a no_proxy list. Loopback is not special.
bool NoProxyMatches(std::string_view no_proxy, std::string_view host);

// The proxy for a request to scheme://host, or nullopt for a direct connection. An unusable proxy setting is
// an error (kInvalidArgument), not a silent direct connection.
Result<std::optional<ProxyServer>> ProxyFor(const ProxySettings& settings, std::string_view scheme,
                                            std::string_view host);

}  // namespace lmcp::aws

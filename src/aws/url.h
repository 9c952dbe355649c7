#pragma once
// URL splitting and the percent-encoding rules AWS uses (RFC 3986 unreserved set, upper-case hex). Pure
// functions, safe from any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace lmcp::aws {

struct Url {
  std::string scheme;  // lower case: "http" or "https"
  std::string host;    // lower case, IPv6 literals keep their brackets
  std::optional<int> port;
  std::string path;   // as given (still encoded); "/" when empty
  std::string query;  // after '?', without the fragment; as given

  int EffectivePort() const { return port ? *port : (scheme == "https" ? 443 : 80); }
  // "host" or "host:port" when the port is not the scheme's default.
  std::string HostHeader() const;
  std::string Origin() const;  // scheme://host[:port]
};

Result<Url> ParseUrl(std::string_view url);

// Percent-encodes every byte except A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash).
std::string UriEncode(std::string_view in, bool keep_slash = false);
// Decodes %XX sequences; anything else (including '+') is kept as is.
std::string UriDecode(std::string_view in);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
// Decoded pairs in order; a parameter without '=' has an empty value.
QueryParams ParseQuery(std::string_view query);
// k=v&k=v with UriEncode on both, in the given order.
std::string BuildQuery(const QueryParams& params);

}  // namespace lmcp::aws

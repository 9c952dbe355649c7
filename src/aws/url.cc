#include "aws/url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/strings.h"

namespace lmcp::aws {
std::string Url::HostHeader() const {
  if (!port || *port == (scheme == "https" ? 443 : 80)) {
    return host;
  }
  return host + ":" + std::to_string(*port);
}

std::string Url::Origin() const {
  std::string out = scheme + "://" + host;
  if (port) {
    out += ":" + std::to_string(*port);
  }
  return out;
}

Result<Url> ParseUrl(std::string_view url) {
  Url out;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Error::InvalidArgument("URL without scheme: " + std::string(url));
  }
  out.scheme = AsciiLower(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") {
    return Error::InvalidArgument("unsupported URL scheme: " + out.scheme);
  }
  std::string_view rest = url.substr(scheme_end + 3);
  auto auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return Error::InvalidArgument("bad IPv6 host in URL");
    }
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return Error::InvalidArgument("bad host in URL");
      }
      port = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    return Error::InvalidArgument("URL without host: " + std::string(url));
  }
  out.host = AsciiLower(host);
  if (!port.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p <= 0 || p > 65535) {
      return Error::InvalidArgument("bad port in URL: " + std::string(url));
    }
    out.port = p;
  }
  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  auto q = rest.find('?');
  out.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) {
    out.query = std::string(rest.substr(q + 1));
  }
  if (out.path.empty()) {
    out.path = "/";
  }
  return out;
}

std::string UriEncode(std::string_view in, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string UriDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = HexDigitValue(in[i + 1]);
      int lo = HexDigitValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += in[i];
  }
  return out;
}

QueryParams ParseQuery(std::string_view query) {
  QueryParams out;
  std::size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    std::string_view part =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(UriDecode(part), "");
      } else {
        out.emplace_back(UriDecode(part.substr(0, eq)), UriDecode(part.substr(eq + 1)));
      }
    }
    if (amp == std::string_view::npos) {
      break;
    }
    start = amp + 1;
  }
  return out;
}

std::string BuildQuery(const QueryParams& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) {
      out += '&';
    }
    out += UriEncode(k);
    out += '=';
    out += UriEncode(v);
  }
  return out;
}

}  // namespace lmcp::aws

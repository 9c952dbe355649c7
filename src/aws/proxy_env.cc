#include "aws/proxy_env.h"

#include <arpa/inet.h>

#include <cstdint>
#include <vector>

#include "aws/url.h"
#include "common/base64.h"
#include "common/strings.h"

namespace lmcp::aws {
namespace {

std::string FirstSet(const EnvLookup& env, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto v = env(name);
    if (v && !v->empty()) {
      return *v;
    }
  }
  return "";
}

std::string_view StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

std::optional<std::uint32_t> ParseIpv4(std::string_view s) {
  in_addr a{};
  std::string z(s);
  if (inet_pton(AF_INET, z.c_str(), &a) != 1) {
    return std::nullopt;
  }
  return ntohl(a.s_addr);
}

bool IsIpv6(std::string_view s) {
  in6_addr a{};
  std::string z(s);
  return inet_pton(AF_INET6, z.c_str(), &a) == 1;
}

bool EntryMatches(std::string_view entry, std::string_view host) {
  if (entry == "*") {
    return true;
  }
  entry = StripBrackets(entry);
  if (auto ip = ParseIpv4(host)) {
    auto slash = entry.find('/');
    auto net = ParseIpv4(entry.substr(0, slash));
    if (!net) {
      return false;
    }
    int bits = 32;
    if (slash != std::string_view::npos) {
      std::string b(entry.substr(slash + 1));
      if (b.empty() || b.size() > 2 || b.find_first_not_of("0123456789") != std::string::npos) {
        return false;
      }
      bits = std::stoi(b);
      if (bits > 32) {
        return false;
      }
    }
    std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (*ip & mask) == (*net & mask);
  }
  if (IsIpv6(host)) {
    return IEquals(entry, host);
  }
  while (!entry.empty() && entry.front() == '.') {
    entry.remove_prefix(1);
  }
  if (entry.empty()) {
    return false;
  }
  if (IEquals(entry, host)) {
    return true;
  }
  return host.size() > entry.size() && host[host.size() - entry.size() - 1] == '.' &&
         IEquals(host.substr(host.size() - entry.size()), entry);
}

}  // namespace

ProxySettings ProxySettings::FromEnvironment(const EnvLookup& env) {
  ProxySettings s;
  std::string all = FirstSet(env, {"all_proxy", "ALL_PROXY"});
  s.http_proxy = FirstSet(env, {"http_proxy"});
  if (s.http_proxy.empty()) {
    s.http_proxy = all;
  }
  s.https_proxy = FirstSet(env, {"https_proxy", "HTTPS_PROXY"});
  if (s.https_proxy.empty()) {
    s.https_proxy = all;
  }
  s.no_proxy = FirstSet(env, {"no_proxy", "NO_PROXY"});
  return s;
}

std::string ProxyServer::Key() const {
  return host + ":" + std::to_string(port) + (authorization.empty() ? "" : "+auth");
}

Result<ProxyServer> ParseProxyUrl(std::string_view url) {
  std::string text(Trim(url));
  if (text.find("://") == std::string::npos) {
    text = "http://" + text;
  }
  auto scheme_end = text.find("://");
  if (AsciiLower(text.substr(0, scheme_end)) != "http") {
    return Error::InvalidArgument("unsupported proxy scheme (only http:// proxies): " +
                                  text.substr(0, scheme_end));
  }
  // Split off user:password@ before ParseUrl, which does not take userinfo.
  std::string rest = text.substr(scheme_end + 3);
  std::string userinfo;
  auto at = rest.find('@');
  auto slash = rest.find('/');
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
  }
  auto parsed = ParseUrl("http://" + rest);
  if (!parsed.ok()) {
    return Error::InvalidArgument("bad proxy URL: " + parsed.error().message);
  }
  ProxyServer p;
  p.host = std::string(StripBrackets(parsed->host));
  p.port = parsed->port.value_or(1080);
  if (p.host.empty()) {
    return Error::InvalidArgument("bad proxy URL: no host");
  }
  if (!userinfo.empty()) {
    auto colon = userinfo.find(':');
    std::string user = UriDecode(userinfo.substr(0, colon));
    std::string pass = colon == std::string::npos ? "" : UriDecode(userinfo.substr(colon + 1));
    p.authorization = "Basic " + Base64Encode(user + ":" + pass);
  }
  return p;
}

bool NoProxyMatches(std::string_view no_proxy, std::string_view host) {
  host = StripBrackets(host);
  std::size_t i = 0;
  while (i < no_proxy.size()) {
    auto end = no_proxy.find_first_of(", \t", i);
    if (end == std::string_view::npos) {
      end = no_proxy.size();
    }
    std::string_view entry = no_proxy.substr(i, end - i);
    if (!entry.empty() && EntryMatches(entry, host)) {
      return true;
    }
    i = end + 1;
  }
  return false;
}

Result<std::optional<ProxyServer>> ProxyFor(const ProxySettings& settings, std::string_view scheme,
                                            std::string_view host) {
  const std::string& url = scheme == "https" ? settings.https_proxy : settings.http_proxy;
  if (url.empty() || NoProxyMatches(settings.no_proxy, host)) {
    return std::optional<ProxyServer>();
  }
  auto p = ParseProxyUrl(url);
  if (!p.ok()) {
    return p.error();
  }
  return std::optional<ProxyServer>(std::move(*p));
}

}  // namespace lmcp::aws

// LocalService's admin API (/__admin/: health, stats, faults, functions) and the Host/Origin policy that
// keeps web pages away from the endpoint.

#include <arpa/inet.h>

#include <nlohmann/json.hpp>

#include "common/host_policy.h"
#include "emulator/service.h"

namespace lmcp::emulator {
namespace {

using json = nlohmann::json;

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::string BrowserRefusal(const ServerRequest& req, bool bound_to_loopback, bool admin) {
  // Any Origin header but a loopback one is a page on another site (CSRF); non-browser clients send none.
  if (!IsAllowedOrigin(OriginPolicy{}, HeaderValue(req.headers, "Origin"))) {
    return "requests from web pages (Origin header) are refused";
  }
  if (!bound_to_loopback && !admin) {
    return "";  // reachable from the network: the signature with the user's own secret protects the API
  }
  // DNS rebinding needs a host name the attacker controls, so loopback names pass, and on a network address
  // so do IP literals (a page served from that address could read the endpoint anyway).
  std::string host = HostName(HeaderValue(req.headers, "Host"));
  if (IsLoopbackHostName(host) || (!bound_to_loopback && !host.empty() && IsIpLiteral(host))) {
    return "";
  }
  return "Host header must name this machine by a loopback address (DNS rebinding protection)";
}

ServerResponse LocalService::HandleAdmin(const ServerRequest& req) {
  auto reply = [](int status, const json& body) {
    ServerResponse r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump();
    return r;
  };
  const std::string& p = req.path;
  if (std::string why = BrowserRefusal(req, options_.bound_to_loopback, /*admin=*/true); !why.empty()) {
    return reply(403, {{"error", why}});
  }
  if (p == "/__admin/health") {
    return reply(200, {{"status", "ok"}, {"functions", deployment_.functions.size()}});
  }
  if (p == "/__admin/stats") {
    if (req.method == "GET") {
      return reply(200, stats_.ToJson());
    }
    if (req.method == "DELETE" || req.method == "POST") {
      stats_.Reset();
      return reply(200, stats_.ToJson());
    }
  }
  if (p == "/__admin/faults") {
    if (req.method == "GET") {
      return reply(200, faults_.ToJson());
    }
    if (req.method == "DELETE") {
      faults_.Clear();
      return reply(200, faults_.ToJson());
    }
    if (req.method == "PUT" || req.method == "POST") {
      auto rules = ParseFaultDocument(req.body);
      if (!rules.ok()) {
        return reply(400, {{"error", rules.error().message}});
      }
      if (req.method == "PUT") {
        faults_.Replace(std::move(*rules));
      } else {
        faults_.Add(std::move(*rules));
      }
      return reply(200, faults_.ToJson());
    }
  }
  if (p == "/__admin/functions" && req.method == "GET") {
    json fns = json::array();
    for (const auto& f : deployment_.functions) {
      fns.push_back({{"name", f.name},
                     {"runtime", f.runtime},
                     {"handler", f.handler},
                     {"alias", f.alias},
                     {"timeout", f.timeout_seconds},
                     {"tags", f.tags}});
    }
    return reply(200, {{"functions", fns}, {"warnings", deployment_.warnings}});
  }
  return reply(404, {{"error", "unknown admin path " + req.method + " " + p},
                     {"paths",
                      {"GET /__admin/health", "GET|DELETE /__admin/stats",
                       "GET|PUT|POST|DELETE /__admin/faults", "GET /__admin/functions"}}});
}

}  // namespace lmcp::emulator

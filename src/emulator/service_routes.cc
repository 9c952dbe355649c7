// LocalService's route table: the emulated services, told apart by path prefix or X-Amz-Target, and each
// operation as method + path pattern (+ X-Amz-Target) → handler.

#include "emulator/service_routes.h"

#include "emulator/http_parser.h"

namespace lmcp::emulator {
namespace {

// Which service a request addresses, first matching row wins. Requests that match none are shaped after
// their credential scope's service, else Lambda's.
struct ServiceRow {
  std::string_view path_prefix;    // "" = any path
  std::string_view target_prefix;  // X-Amz-Target; "" = not looked at
  const char* service;
};
constexpr ServiceRow kServices[] = {
    {"/2015-03-31/functions", "", "lambda"},
    {"/2017-03-31/tags/", "", "lambda"},
    {"/v1/registries/", "", "schemas"},
    {"", "ResourceGroupsTaggingAPI_20170126.", "tagging"},
};

std::string ServiceOf(const ServerRequest& req) {
  for (const ServiceRow& row : kServices) {
    if (req.path.rfind(row.path_prefix, 0) != 0) {
      continue;
    }
    if (row.target_prefix.empty() ||
        HeaderValue(req.headers, "X-Amz-Target").rfind(row.target_prefix, 0) == 0) {
      return row.service;
    }
  }
  return "";
}

}  // namespace

LocalService::Route LocalService::MatchRoute(const ServerRequest& req) const {
  // Each operation, first matching row of the request's service wins.
  struct RouteRow {
    const char* service;
    const char* method;
    const char* path;    // pattern, see MatchPathPattern
    const char* target;  // the X-Amz-Target the request must carry; nullptr = not looked at
    const char* operation;
    Handler handler;
  };
  static constexpr RouteRow kRoutes[] = {
      {"lambda", "GET", "/2015-03-31/functions", nullptr, "ListFunctions", &LocalService::ListFunctions},
      {"lambda", "GET", "/2015-03-31/functions/", nullptr, "ListFunctions", &LocalService::ListFunctions},
      {"lambda", "POST", "/2015-03-31/functions/{function+}/invocations", nullptr, "Invoke",
       &LocalService::Invoke},
      {"lambda", "GET", "/2015-03-31/functions/{function}", nullptr, "GetFunction",
       &LocalService::GetFunction},
      {"lambda", "GET", "/2017-03-31/tags/{resource*}", nullptr, "ListTags", &LocalService::ListTags},
      {"schemas", "GET", "/v1/registries/name/{registry*}/schemas/name/{schema}", nullptr, "DescribeSchema",
       &LocalService::DescribeSchema},
      {"tagging", "POST", "{path*}", "ResourceGroupsTaggingAPI_20170126.GetResources", "GetResources",
       &LocalService::GetResources},
  };

  Route route;
  route.query = ParseQuery(req.query);
  route.service = ServiceOf(req);
  PathCaptures captures;
  for (const RouteRow& row : kRoutes) {
    if (route.service != row.service || req.method != row.method) {
      continue;
    }
    if (row.target != nullptr && HeaderValue(req.headers, "X-Amz-Target") != row.target) {
      continue;
    }
    captures.clear();
    if (MatchPathPattern(row.path, req.path, &captures)) {
      route.operation = row.operation;
      route.handler = row.handler;
      break;
    }
  }
  for (auto& [name, encoded] : captures) {
    std::string value = PercentDecode(encoded);
    if (name == "function") {
      route.function = ParseFunctionRef(value, deployment_);
    } else if (name == "resource") {
      route.function = ParseFunctionRef(value, deployment_);
      route.resource = std::move(value);
    } else if (name == "registry") {
      route.registry = std::move(value);
    } else if (name == "schema") {
      route.schema = std::move(value);
    }
  }
  if (route.service.empty()) {
    route.service = ScopeService(HeaderValue(req.headers, "Authorization"));
  }
  if (route.service.empty()) {
    route.service = "lambda";
  }
  return route;
}

bool MatchPathPattern(std::string_view pattern, std::string_view path, PathCaptures* captures) {
  size_t at = 0;  // in path
  while (!pattern.empty()) {
    size_t open = pattern.find('{');
    if (open != 0) {  // literal text
      std::string_view literal = pattern.substr(0, open);
      if (path.compare(at, literal.size(), literal) != 0) {
        return false;
      }
      at += literal.size();
      pattern.remove_prefix(literal.size());
      continue;
    }
    size_t close = pattern.find('}');
    std::string_view name = pattern.substr(1, close - 1);
    pattern.remove_prefix(close + 1);
    char kind = name.empty() ? '\0' : name.back();
    bool any_text = kind == '*' || kind == '+';
    if (any_text) {
      name.remove_suffix(1);
    }
    // Where the capture ends: before the next literal's first occurrence, or before the pattern's tail.
    std::string_view next = pattern.substr(0, pattern.find('{'));
    size_t end = path.size();
    if (next.size() == pattern.size()) {  // the literal ends the pattern
      if (path.size() < at + next.size()) {
        return false;
      }
      end = path.size() - next.size();
    } else if (end = path.find(next, at); end == std::string_view::npos) {
      return false;
    }
    std::string_view value = path.substr(at, end - at);
    if ((kind == '+' && value.empty()) || (!any_text && value.find('/') != std::string_view::npos)) {
      return false;
    }
    captures->emplace_back(std::string(name), std::string(value));
    at = end;
  }
  return at == path.size();
}

}  // namespace lmcp::emulator

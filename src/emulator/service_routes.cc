// LocalService's route table: the emulated services, told apart by path prefix or X-Amz-Target (STS, which
// posts to any path, by its Action or credential scope), and each operation as method + path pattern
// (+ X-Amz-Target or Action) → handler.

#include "emulator/service_routes.h"

#include "emulator/http_parser.h"

namespace lmcp::emulator {
namespace {

// Which service a request addresses, first matching row wins. A request that matches none is STS's when it
// carries an Action or is signed for sts (STS posts to any path); else its errors are shaped after its
// credential scope's service, or Lambda's.
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

using Params = std::vector<std::pair<std::string, std::string>>;

// `query` and `form`: the parameters of the URL and of a form-encoded body (the query protocol's Action).
std::string ServiceOf(const ServerRequest& req, const Params& query, const Params& form) {
  for (const ServiceRow& row : kServices) {
    if (req.path.rfind(row.path_prefix, 0) != 0) {
      continue;
    }
    if (row.target_prefix.empty() ||
        HeaderValue(req.headers, "X-Amz-Target").rfind(row.target_prefix, 0) == 0) {
      return row.service;
    }
  }
  bool in_query = false, in_form = false;
  QueryParam(query, "Action", &in_query);
  QueryParam(form, "Action", &in_form);
  if (in_query || in_form || ScopeService(HeaderValue(req.headers, "Authorization")) == "sts") {
    return "sts";
  }
  return "";
}

// The parameters of a form-encoded POST body; none for other bodies.
Params FormParams(const ServerRequest& req) {
  if (req.method != "POST" ||
      HeaderValue(req.headers, "Content-Type").rfind("application/x-www-form-urlencoded", 0) != 0) {
    return {};
  }
  return ParseQuery(req.body);
}

}  // namespace

LocalService::Route LocalService::MatchRoute(const ServerRequest& req) const {
  // Each operation, first matching row of the request's service wins.
  struct RouteRow {
    const char* service;
    const char* method;
    const char* path;    // pattern, see MatchPathPattern
    const char* target;  // the X-Amz-Target (sts: the Action) the request must carry; nullptr = not looked at
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
      {"sts", "POST", "{path*}", "GetCallerIdentity", "GetCallerIdentity", &LocalService::GetCallerIdentity},
      {"sts", "GET", "{path*}", "GetCallerIdentity", "GetCallerIdentity", &LocalService::GetCallerIdentity},
  };

  Route route;
  route.query = ParseQuery(req.query);
  Params form = FormParams(req);
  route.service = ServiceOf(req, route.query, form);
  if (route.service == "sts") {  // the query protocol: a form body's parameters count as the query's
    route.query.insert(route.query.end(), form.begin(), form.end());
  }
  const std::string target =
      route.service == "sts" ? QueryParam(route.query, "Action") : HeaderValue(req.headers, "X-Amz-Target");
  PathCaptures captures;
  for (const RouteRow& row : kRoutes) {
    if (route.service != row.service || req.method != row.method) {
      continue;
    }
    if (row.target != nullptr && target != row.target) {
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

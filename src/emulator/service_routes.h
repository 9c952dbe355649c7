#pragma once
// LocalService's routing: which emulated service a request addresses and which operation it calls, from the
// one route table in service_routes.cc. Internal to the emulator; pure functions over constant tables.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/service.h"
#include "emulator/service_wire.h"

namespace lmcp::emulator {

// What a request addresses. Every field but `service` and `query` is empty when no operation matched.
struct LocalService::Route {
  std::string service;  // lambda, schemas, tagging, sts; shapes the error bodies even for unknown operations
  std::string operation;  // "" when unknown
  Handler handler = nullptr;
  FunctionRef function;  // Invoke, GetFunction (the path's name), ListTags (the resource ARN)
  std::string resource;  // ListTags
  std::string registry, schema;
  std::vector<std::pair<std::string, std::string>> query;  // sts: then the form body's parameters
};

using PathCaptures = std::vector<std::pair<std::string, std::string>>;

// Matches `path` against a pattern of literal text and captures, and appends the captured (still encoded)
// text to *captures. `{name}` is one segment (no '/', may be empty), `{name*}` any text (may be empty),
// `{name+}` any text but not empty. A capture followed by literal text ends at that text's first
// occurrence, or, when the literal ends the pattern, where the pattern's tail must start.
bool MatchPathPattern(std::string_view pattern, std::string_view path, PathCaptures* captures);

}  // namespace lmcp::emulator

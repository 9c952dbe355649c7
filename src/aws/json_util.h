#pragma once
// Small helpers for reading AWS JSON replies leniently (a missing or mistyped member gives the default).

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "aws/aws_error.h"

namespace lmcp::aws {

inline std::string JsonString(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline int JsonInt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}

inline std::map<std::string, std::string> JsonStringMap(const nlohmann::json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

// Parses a reply body as a JSON object, or an AwsError naming the operation.
inline AwsResult<nlohmann::json> ParseJsonReply(const std::string& operation, const HttpResponse& response) {
  auto j = nlohmann::json::parse(response.body.empty() ? std::string("{}") : response.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    AwsError e = AwsError::Client("malformed " + operation + " reply: not a JSON object");
    e.operation = operation;
    e.http_status = response.status;
    e.may_have_reached_server = true;
    return e;
  }
  return j;
}

}  // namespace lmcp::aws

#pragma once
// Small helpers for reading AWS JSON replies leniently (a missing or mistyped member gives the default).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "aws/aws_error.h"
#include "aws/sigv4.h"
#include "common/iso8601.h"
#include "common/json.h"

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
  if (!j.is_object()) {
    return out;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) {
      out[it.key()] = it.value().get<std::string>();
    }
  }
  return out;
}

// Parses a reply body as a JSON object, or an AwsError naming the operation.
// Nesting deeper than common/json.h's limit counts as malformed.
inline AwsResult<nlohmann::json> ParseJsonReply(const std::string& operation, const HttpResponse& response) {
  auto j = ParseJson(response.body.empty() ? std::string_view("{}") : std::string_view(response.body));
  if (!j.ok() || !j->is_object()) {
    AwsError e = AwsError::Client("malformed " + operation + " reply: " +
                                  (j.ok() ? std::string("not a JSON object") : j.error().message));
    e.operation = operation;
    e.http_status = response.status;
    e.may_have_reached_server = true;
    return e;
  }
  return std::move(j).value();
}

// Keys from a credentials JSON object as the container endpoint, IMDS and credential_process write them:
// AccessKeyId, SecretAccessKey, the session token under `token_key`, and Expiration (left empty when absent
// or not ISO-8601). nullopt when either key is missing.
inline std::optional<Credentials> CredentialsFromJson(const nlohmann::json& j, const char* token_key) {
  Credentials c{JsonString(j, "AccessKeyId"), JsonString(j, "SecretAccessKey"), JsonString(j, token_key),
                std::nullopt};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return std::nullopt;
  }
  if (std::string exp = JsonString(j, "Expiration"); !exp.empty()) {
    c.expiration = ParseIso8601(exp);
  }
  return c;
}

}  // namespace lmcp::aws

#include "aws/http_types.h"

#include "common/strings.h"

namespace lmcp::aws {

std::string FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) {
      return v;
    }
  }
  return {};
}

bool HasHeader(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) {
      return true;
    }
  }
  return false;
}

void RemoveHeader(Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return IEquals(h.first, name); });
}

void SetHeader(Headers& headers, std::string name, std::string value) {
  RemoveHeader(headers, name);
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace lmcp::aws

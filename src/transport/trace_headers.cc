#include "transport/trace_headers.h"

#include <string>
#include <string_view>

#include "common/strings.h"
#include "jsonrpc/message.h"
#include "transport/http_listener.h"

namespace lmcp::transport {

void CopyTraceHeaders(const HttpHead& head, nlohmann::json& message) {
  std::string traceparent;
  std::string tracestate;
  int traceparents = 0;
  for (const auto& [name, value] : head.headers) {
    std::string_view v = Trim(value, kHttpWhitespace);
    if (IEquals(name, "traceparent")) {
      ++traceparents;
      traceparent = v;
    } else if (IEquals(name, "tracestate") && !v.empty()) {
      tracestate += tracestate.empty() ? "" : ",";
      tracestate += v;
    }
  }
  if (traceparents != 1 || traceparent.empty() || !jsonrpc::IsRequest(message)) {
    return;
  }
  auto params = message.find("params");
  if (params == message.end() || !params->is_object()) {
    return;
  }
  nlohmann::json& meta = (*params)["_meta"];
  if (meta.is_null()) {
    meta = nlohmann::json::object();
  }
  if (!meta.is_object() || meta.contains("traceparent")) {
    return;
  }
  meta["traceparent"] = std::move(traceparent);
  if (tracestate.empty()) {
    meta.erase("tracestate");
  } else {
    meta["tracestate"] = std::move(tracestate);
  }
}

}  // namespace lmcp::transport

#include "transport/http_wire.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <cstdio>

#include "jsonrpc/message.h"

namespace lmcp::transport {

namespace http = boost::beast::http;

std::string StatusLine(int status) {
  auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason.data(), reason.size()) + "\r\n";
}

std::string ResponseHead(const HttpResponse& response) {
  std::string out = StatusLine(response.status);
  for (const auto& [name, value] : response.headers) {
    out += name + ": " + value + "\r\n";
  }
  if (!response.content_type.empty()) {
    out += "Content-Type: " + response.content_type + "\r\n";
  }
  if (response.close) {
    out += "Connection: close\r\n";
  }
  if (response.stream) {
    return out + "Transfer-Encoding: chunked\r\n\r\n";
  }
  return out + "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n";
}

std::string Chunk(std::string_view data) {
  char size[20];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out(size, static_cast<size_t>(n));
  out.append(data);
  out.append("\r\n");
  return out;
}

std::string CannedResponse(int status, std::string_view message) {
  std::string body = jsonrpc::Serialize(
      jsonrpc::MakeError(nullptr, jsonrpc::RpcError::TransportError(std::string(message))));
  std::string out = StatusLine(status);
  out += "Content-Type: application/json\r\nConnection: close\r\n";
  if (status == 503) {
    out += "Retry-After: 1\r\n";
  }
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

std::string HttpHead::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (boost::beast::iequals(n, name)) {
      return v;
    }
  }
  return "";
}

bool HttpHead::HasHeader(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (boost::beast::iequals(n, name)) {
      return true;
    }
  }
  return false;
}

}  // namespace lmcp::transport

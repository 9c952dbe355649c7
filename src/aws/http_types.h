#pragma once
// Plain HTTP request/response values shared by the signer, the HTTP client and the local endpoint.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmcp::aws {

// Header names keep the case they were given; lookups are case-insensitive. Repeated headers are kept in
// order as separate entries.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: scheme://host[:port]/path[?query], path and query already encoded
  Headers headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{3'100};
  std::chrono::milliseconds read_timeout{60'000};  // time without progress on the response
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  // false (Invoke): the client must never send the request twice on its own, not even when a reused
  // keep-alive connection turns out to be dead before any response byte (the silent re-send libcurl does).
  bool idempotent = true;
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// Case-insensitive lookup; empty when absent. For repeated headers, the first.
std::string FindHeader(const Headers& headers, std::string_view name);
bool HasHeader(const Headers& headers, std::string_view name);
void RemoveHeader(Headers& headers, std::string_view name);             // every entry with that name
void SetHeader(Headers& headers, std::string name, std::string value);  // replaces, appends at the end

}  // namespace lmcp::aws

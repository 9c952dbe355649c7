#pragma once
// CurlHttpClient: the real HttpClient on libcurl, and the only file that includes curl. One instance is
// shared by the whole process: connections, DNS and TLS sessions are shared across calls and threads through
// a curl share handle, and idle easy handles are pooled. TLS verification is always on; proxies come from the
// environment the way libcurl reads them (http_proxy, https_proxy, no_proxy). Thread-safe.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/http_client.h"

namespace lmcp::aws {

struct CurlHttpClientOptions {
  std::string ca_bundle;  // PEM file for TLS verification (AWS_CA_BUNDLE / profile ca_bundle); empty = system
  std::string user_agent = "lambda-mcp";
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpClientOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  HttpResult Send(const HttpRequest& request, std::stop_token stop = {}) override;

  // New TCP connections opened so far (reuse shows as a count lower than the number of calls).
  long connections_opened() const { return connections_opened_.load(); }

 private:
  struct Shared;
  // An easy handle and the multi handle that drives it, pooled together: creating a multi handle costs a
  // socketpair (its wake-up channel) per request otherwise.
  struct Handles {
    void* easy = nullptr;
    void* multi = nullptr;
  };
  Handles Acquire();
  void Release(Handles handles);

  CurlHttpClientOptions options_;
  std::unique_ptr<Shared> shared_;
  std::mutex pool_mu_;
  std::vector<Handles> idle_;
  std::atomic<long> connections_opened_{0};
};

}  // namespace lmcp::aws

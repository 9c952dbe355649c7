#pragma once
// AsioHttpClient: the real HttpClient, event-driven on Boost.Asio/Beast (only its .cc includes them). It owns
// one io_context and one I/O thread; SendAsync queues the exchange there and returns, so any number of calls
// can be in flight without a thread each. Send is SendAsync plus a wait (called from the I/O thread itself,
// e.g. inside a `done`, it runs the exchange on a private loop on the calling thread, without the pool).
// Keep-alive connections are pooled per scheme+host+port(+proxy), at most max_idle_per_origin idle each,
// dropped after idle_timeout. TLS verification is always on (peer, host name, SNI) against the system CA
// store, or ca_bundle instead when set. Proxies come from the environment the way curl reads it
// (proxy_env.h). A non-idempotent request is never sent twice; an idempotent one is retried once on a fresh
// connection when a reused connection turns out to be dead before any response byte. The destructor cancels
// pending exchanges (each `done` runs with kCancelled) and joins the I/O thread. Thread-safe.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "aws/aws_config.h"
#include "aws/http_client.h"
#include "common/clock.h"

namespace lmcp::aws {

struct AsioHttpClientOptions {
  std::string ca_bundle;  // PEM file for TLS verification (AWS_CA_BUNDLE / profile ca_bundle); empty = system
  std::string user_agent = "lambda-mcp";
  EnvLookup env;  // where proxy variables are read (once, at construction); default: the process environment
  std::size_t max_idle_per_origin = 32;
  std::chrono::milliseconds idle_timeout{50'000};
  Clock* clock = nullptr;  // measures idle time; default Clock::System()
};

class AsioHttpClient final : public HttpClient {
 public:
  explicit AsioHttpClient(AsioHttpClientOptions options = {});
  ~AsioHttpClient() override;
  AsioHttpClient(const AsioHttpClient&) = delete;
  AsioHttpClient& operator=(const AsioHttpClient&) = delete;

  HttpResult Send(const HttpRequest& request, std::stop_token stop = {}) override;
  void SendAsync(HttpRequest request, std::stop_token stop, Done done) override;

  // New TCP connections opened so far (reuse shows as a count lower than the number of calls).
  long connections_opened() const;

  struct Impl;  // the I/O side, in asio_http_client.cc

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmcp::aws

#pragma once
// A small HTTP listener that serves only GET /metrics (and /healthz), for stdio mode, where there is no MCP
// HTTP listener to carry the route. It has no authentication, so it binds loopback unless a non-loopback
// address is explicitly allowed. Start/Stop from one controlling thread; requests are served on the
// listener's own threads.

#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace lmcp::transport {

class HttpListener;

struct MetricsListenerOptions {
  std::string host = "127.0.0.1";
  int port = 9464;            // 0 = any free port; 9464 is the usual Prometheus exporter port
  bool allow_remote = false;  // bind a non-loopback address (anyone who reaches it reads the metrics)
};

class MetricsListener {
 public:
  // `expose` returns the exposition text (common/metrics.h); called on the listener's threads.
  MetricsListener(MetricsListenerOptions options, std::function<std::string()> expose);
  ~MetricsListener();  // Stop()s

  // Binds and serves. Fails on a non-loopback address without allow_remote, or a bad bind.
  Status Start();
  int port() const { return port_; }
  void Stop();

 private:
  class Handler;
  MetricsListenerOptions options_;
  std::function<std::string()> expose_;
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<HttpListener> listener_;
  int port_ = 0;
};

}  // namespace lmcp::transport

#include "transport/metrics_listener.h"

#include "common/host_policy.h"
#include "common/metrics.h"
#include "transport/http_listener.h"

namespace lmcp::transport {

class MetricsListener::Handler final : public HttpHandler {
 public:
  Handler(const std::function<std::string()>& expose, bool check_host)
      : expose_(expose), check_host_(check_host) {}
  std::optional<HttpResponse> OnHead(HttpHead& head) override {
    HttpResponse res;
    res.content_type = "text/plain; charset=utf-8";
    if (check_host_ && !IsAllowedHost(OriginPolicy{}, head.Header("Host"))) {
      res.status = 403;  // loopback-bound: a browser page reached through DNS rebinding names another host
      res.body = "Forbidden: invalid Host header\n";
    } else if (head.path != "/metrics" && head.path != "/healthz") {
      res.status = 404;
      res.body = "Not Found\n";
    } else if (head.method != "GET") {
      res.status = 405;
      res.SetHeader("Allow", "GET");
      res.body = "Method Not Allowed\n";
    } else if (head.path == "/healthz") {
      res.body = "ok\n";
    } else {
      res.body = expose_();
      res.content_type = metrics::kExpositionContentType;
      res.SetHeader("Cache-Control", "no-store");
    }
    return res;  // never a body to read
  }
  HttpResponse OnRequest(HttpRequest /*request*/) override { return HttpResponse{.status = 404}; }
  bool IsProbe(const HttpHead& head) const override {
    return head.method == "GET" && head.path == "/healthz";
  }

 private:
  const std::function<std::string()>& expose_;
  const bool check_host_;
};

MetricsListener::MetricsListener(MetricsListenerOptions options, std::function<std::string()> expose)
    : options_(std::move(options)), expose_(std::move(expose)) {}

MetricsListener::~MetricsListener() { Stop(); }

Status MetricsListener::Start() {
  if (!IsLoopbackBindAddress(options_.host) && !options_.allow_remote) {
    return Error::FailedPrecondition("refusing to serve metrics on " + options_.host +
                                     ": the metrics listener has no authentication; bind 127.0.0.1 (or ::1), "
                                     "or allow a remote address explicitly");
  }
  HttpListenerOptions wire;
  wire.host = options_.host;
  wire.port = options_.port;
  wire.max_connections = 16;
  wire.max_connections_per_address = 16;
  wire.max_connections_per_principal = 16;
  wire.probe_reserve = 2;
  wire.max_body_bytes = 1024;
  wire.io_threads = 1;
  wire.handler_threads = 1;
  handler_ = std::make_unique<Handler>(expose_, /*check_host=*/!options_.allow_remote);
  listener_ = std::make_unique<HttpListener>(wire, *handler_);
  if (Status started = listener_->Start(); !started.ok()) {
    listener_.reset();
    return started;
  }
  port_ = listener_->port();
  return Ok();
}

void MetricsListener::Stop() {
  if (listener_) {
    listener_->Stop();
  }
}

}  // namespace lmcp::transport

// libFuzzer target: the Streamable HTTP wire (HttpListener: Beast's parser with our limits, the head-first
// flow, chunked bodies, keep-alive, Expect: 100-continue) on arbitrary bytes, through a real loopback socket
// to a listener that runs for the whole fuzzing session. Each input is sent, the write side is shut, and the
// answer is read until the server closes. Oracles: no crash or sanitizer report; a handler never sees a body
// over the cap or more headers than allowed; every answer starts with an HTTP/1.1 status line.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tests/support/raw_socket.h"
#include "transport/http_listener.h"

namespace tr = lmcp::transport;
namespace ts = lmcp::test_support;

namespace {

constexpr size_t kMaxBody = 4096;
constexpr size_t kMaxHeaders = 20;

class CheckingHandler final : public tr::HttpHandler {
 public:
  std::optional<tr::HttpResponse> OnHead(tr::HttpHead& head) override {
    if (head.headers.size() > kMaxHeaders) {
      std::abort();
    }
    if (head.Header("X-Refuse") == "1") {
      tr::HttpResponse r;
      r.status = 401;
      return r;
    }
    return std::nullopt;
  }
  tr::HttpResponse OnRequest(tr::HttpRequest request) override {
    if (request.body.size() > kMaxBody) {
      std::abort();
    }
    tr::HttpResponse r;
    r.body = std::to_string(request.body.size());
    return r;
  }
  bool IsProbe(const tr::HttpHead& head) const override { return head.path == "/healthz"; }
};

tr::HttpListener& Listener() {
  static CheckingHandler handler;
  static tr::HttpListener* listener = [] {
    tr::HttpListenerOptions options;
    options.max_header_bytes = 2048;
    options.max_header_count = kMaxHeaders;
    options.max_body_bytes = kMaxBody;
    options.header_timeout = std::chrono::milliseconds(1000);
    options.body_timeout = std::chrono::milliseconds(1000);
    options.max_connections = 64;
    options.io_threads = 1;
    options.handler_threads = 1;
    auto* l = new tr::HttpListener(options, handler);
    if (!l->Start().ok()) {
      std::abort();
    }
    return l;
  }();
  return *listener;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = ts::ConnectLoopback(Listener().port());
  if (fd < 0) {
    return 0;
  }
  ts::SendAll(fd, std::string_view(reinterpret_cast<const char*>(data), size));
  shutdown(fd, SHUT_WR);
  std::string answer = ts::ReadSome(fd, std::chrono::milliseconds(3000));
  close(fd);
  if (!answer.empty() && answer.rfind("HTTP/1.1 ", 0) != 0) {
    std::abort();
  }
  return 0;
}

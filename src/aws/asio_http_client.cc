#include "aws/asio_http_client.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <deque>
#include <functional>
#include <future>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aws/proxy_env.h"
#include "aws/url.h"
#include "common/strings.h"

namespace lmcp::aws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 256 * 1024;

std::string StripBrackets(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool IsToken(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) {
      return false;
    }
  }
  return true;
}

// The request as it goes on the wire, or why it cannot be sent. Content-Length is computed, Expect is never
// sent, Host and User-Agent are added unless given.
std::optional<std::string> BuildWire(const HttpRequest& req, const Url& url, bool absolute_form,
                                     const std::optional<ProxyServer>& proxy, const std::string& user_agent,
                                     std::string& wire) {
  if (!IsToken(req.method)) {
    return "bad method: " + req.method;
  }
  std::string target = url.path.empty() ? "/" : url.path;
  if (!url.query.empty()) {
    target += "?" + url.query;
  }
  if (absolute_form) {
    target = url.Origin() + target;
  }
  if (target.find_first_of(" \r\n") != std::string::npos) {
    return "bad request target";
  }
  wire = req.method + " " + target + " HTTP/1.1\r\n";
  bool has_host = false, has_ua = false;
  for (const auto& [k, v] : req.headers) {
    if (!IsToken(k) || v.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return "bad header: " + k;
    }
    if (IEquals(k, "content-length") || IEquals(k, "expect") || IEquals(k, "transfer-encoding") ||
        IEquals(k, "proxy-authorization")) {
      continue;
    }
    has_host |= IEquals(k, "host");
    has_ua |= IEquals(k, "user-agent");
    wire += k + ": " + v + "\r\n";
  }
  if (!has_host) {
    wire += "Host: " + url.HostHeader() + "\r\n";
  }
  if (!has_ua && !user_agent.empty()) {
    wire += "User-Agent: " + user_agent + "\r\n";
  }
  if (absolute_form && proxy && !proxy->authorization.empty()) {
    wire += "Proxy-Authorization: " + proxy->authorization + "\r\n";
  }
  const bool body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
  if (!req.body.empty() || body_method) {
    wire += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  wire += "\r\n";
  wire += req.body;
  return std::nullopt;
}

// One connection: plain TCP, or TLS over it (possibly inside a proxy's CONNECT tunnel).
struct Conn {
  explicit Conn(const asio::any_io_executor& ex) : plain(std::in_place, ex) {}
  std::optional<tcp::socket> plain;
  std::optional<ssl::stream<tcp::socket>> tls;
  beast::flat_buffer buffer;
  Clock::SteadyTime idle_since{};

  tcp::socket& Socket() { return tls ? tls->next_layer() : *plain; }
  void Close() {
    beast::error_code ec;
    Socket().shutdown(tcp::socket::shutdown_both, ec);
    Socket().close(ec);
  }
  // An idle connection the peer closed (or wrote to unasked) is not reused.
  bool LooksAlive() {
    char b = 0;
    ssize_t n = ::recv(Socket().native_handle(), &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

}  // namespace

struct Exchange;

struct AsioHttpClient::Impl {
  explicit Impl(AsioHttpClientOptions o)
      : options(std::move(o)),
        clock(options.clock != nullptr ? *options.clock : Clock::System()),
        ssl_ctx(ssl::context::tls_client),
        work(asio::make_work_guard(io)),
        sweep(io) {
    proxies = ProxySettings::FromEnvironment(options.env ? options.env : ProcessEnvironment());
    ssl_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ssl_ctx.set_verify_mode(ssl::verify_peer);
    beast::error_code ec;
    if (options.ca_bundle.empty()) {
      ssl_ctx.set_default_verify_paths(ec);
    } else {
      ssl_ctx.load_verify_file(options.ca_bundle, ec);
    }
    if (ec) {
      ssl_error = "cannot load the CA store " +
                  (options.ca_bundle.empty() ? std::string("(system default)") : options.ca_bundle) + ": " +
                  ec.message();
    }
    thread = std::thread([this] { io.run(); });
  }

  void Start(HttpRequest request, std::stop_token stop, Done done, const asio::any_io_executor& ex,
             bool pooled);
  std::shared_ptr<Conn> TakeIdle(const std::string& key);
  void ReleaseIdle(const std::string& key, std::shared_ptr<Conn> c);
  void ArmSweep();
  void Shutdown();

  AsioHttpClientOptions options;
  Clock& clock;
  ProxySettings proxies;
  ssl::context ssl_ctx;
  std::string ssl_error;  // the CA store could not be loaded: every https request fails to connect
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
  std::atomic<long> opened{0};
  // Only touched on the I/O thread:
  std::unordered_map<std::string, std::deque<std::shared_ptr<Conn>>> idle;
  std::unordered_set<Exchange*> active;
  asio::steady_timer sweep;
  bool sweep_armed = false;
  bool closing = false;
};

namespace {
using Impl = AsioHttpClient::Impl;
}  // namespace

// One request from SendAsync to `done`. Lives on one executor (the client's I/O thread, or a private loop
// for a Send from that thread); every member is touched only there.
struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(Impl& i, const asio::any_io_executor& e, bool p)
      : impl(i), ex(e), pooled(p), timer(e), resolver(e) {}

  static asio::awaitable<void> Run(std::shared_ptr<Exchange> self);  // the frame owns the exchange
  asio::awaitable<HttpResult> Attempts();
  asio::awaitable<std::optional<HttpError>> Connect();
  asio::awaitable<HttpResult> Exchange1(std::shared_ptr<Conn> c, bool& got_response_bytes);
  void Finish(HttpResult result);

  // The watchdog: after `d` without Arm or Disarm, the exchange times out (its socket is closed).
  void Arm(milliseconds d) {
    unsigned g = ++gen;
    timer.expires_after(d);
    timer.async_wait([self = shared_from_this(), g](beast::error_code ec) {
      if (ec || g != self->gen) {
        return;
      }
      self->timed_out = true;
      self->Abort();
    });
  }
  void Disarm() {
    ++gen;
    timer.cancel();
  }
  void Abort() {
    resolver.cancel();
    if (conn) {
      conn->Close();
    }
  }
  HttpError ConnectError(const std::string& what, const beast::error_code& ec) const {
    if (cancelled) {
      return HttpError{HttpErrorKind::kCancelled, "request cancelled", sent};
    }
    if (timed_out) {
      return HttpError{HttpErrorKind::kTimeoutBeforeSend,
                       "connect timed out after " + std::to_string(request.connect_timeout.count()) + " ms",
                       sent};
    }
    return HttpError{HttpErrorKind::kConnectFailed, what + ": " + ec.message(), sent};
  }
  HttpError SentError(const beast::error_code& ec) const {
    if (cancelled) {
      return HttpError{HttpErrorKind::kCancelled, "request cancelled", true};
    }
    if (timed_out) {
      return HttpError{HttpErrorKind::kReadTimeout,
                       "no response progress for " + std::to_string(request.read_timeout.count()) + " ms",
                       true};
    }
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow) {
      return HttpError{HttpErrorKind::kResponseTooLarge,
                       "response larger than " + std::to_string(request.max_response_bytes) + " bytes", true};
    }
    return HttpError{HttpErrorKind::kConnectionReset, ec.message(), true};
  }

  Impl& impl;
  asio::any_io_executor ex;
  bool pooled;
  HttpRequest request;
  Url url;
  std::optional<ProxyServer> proxy;
  std::string key;   // the pool key: scheme://host:port plus the proxy
  std::string wire;  // the serialized request
  HttpClient::Done done;
  asio::steady_timer timer;
  tcp::resolver resolver;
  std::shared_ptr<Conn> conn;
  bool sent = false;
  bool cancelled = false;
  bool timed_out = false;
  unsigned gen = 0;
  std::optional<std::stop_callback<std::function<void()>>> stop_watch;
};

asio::awaitable<void> Exchange::Run(std::shared_ptr<Exchange> self) {
  if (self->pooled) {
    self->impl.active.insert(self.get());
  }
  HttpResult result = HttpError{HttpErrorKind::kConnectionReset, "not run", false};
  try {
    result = co_await self->Attempts();
  } catch (const std::exception& e) {
    result =
        HttpError{HttpErrorKind::kConnectionReset, std::string("internal error: ") + e.what(), self->sent};
  }
  self->Finish(std::move(result));
}

void Exchange::Finish(HttpResult result) {
  Disarm();
  resolver.cancel();
  stop_watch.reset();  // no cancellation callback after this (its destructor waits for a running one)
  if (conn) {
    conn->Close();
    conn.reset();
  }
  if (pooled) {
    impl.active.erase(this);
  }
  HttpClient::Done d = std::move(done);
  d(std::move(result));
}

asio::awaitable<HttpResult> Exchange::Attempts() {
  for (int attempt = 0;; ++attempt) {
    if (cancelled || (pooled && impl.closing)) {
      cancelled = true;
      co_return HttpError{HttpErrorKind::kCancelled, "request cancelled", sent};
    }
    std::shared_ptr<Conn> c = attempt == 0 && pooled ? impl.TakeIdle(key) : nullptr;
    const bool reused = c != nullptr;
    if (reused) {
      conn = c;
    } else {
      if (auto error = co_await Connect()) {
        co_return std::move(*error);
      }
      c = conn;
    }
    bool got_response_bytes = false;
    HttpResult r = co_await Exchange1(c, got_response_bytes);
    if (r.ok() || !reused || got_response_bytes || cancelled || timed_out ||
        r.error().kind != HttpErrorKind::kConnectionReset) {
      co_return r;
    }
    // A reused keep-alive connection died before any response byte: the server may have read the request.
    if (!request.idempotent) {
      co_return HttpError{HttpErrorKind::kConnectionReset,
                          "reused connection closed before any response (" + r.error().message +
                              "); not re-sent because the server may have acted on the request",
                          true};
    }
    conn.reset();  // idempotent: once more on a fresh connection
  }
}

asio::awaitable<std::optional<HttpError>> Exchange::Connect() {
  const bool tls = url.scheme == "https";
  if (tls && !impl.ssl_error.empty()) {
    co_return HttpError{HttpErrorKind::kConnectFailed, impl.ssl_error, sent};
  }
  Arm(request.connect_timeout);
  const std::string host = proxy ? proxy->host : StripBrackets(url.host);
  const int port = proxy ? proxy->port : url.EffectivePort();
  std::vector<tcp::endpoint> endpoints;
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoints.emplace_back(address, static_cast<unsigned short>(port));
  } else {
    auto [rec, results] = co_await resolver.async_resolve(host, std::to_string(port), kUse);
    if (rec || cancelled || timed_out) {
      co_return ConnectError("resolve " + host, rec);
    }
    for (const auto& entry : results) {
      endpoints.push_back(entry.endpoint());
    }
  }
  if (cancelled || timed_out) {
    co_return ConnectError("connect", ec);
  }
  conn = std::make_shared<Conn>(ex);
  ++impl.opened;
  auto [cec, unused] = co_await asio::async_connect(*conn->plain, endpoints, kUse);
  const std::string where = (proxy ? "proxy " : "") + host + ":" + std::to_string(port);
  if (cec || cancelled || timed_out) {
    co_return ConnectError("connect to " + where, cec);
  }
  conn->plain->set_option(tcp::no_delay(true), ec);
  conn->plain->set_option(asio::socket_base::keep_alive(true), ec);

  if (proxy && tls) {  // a CONNECT tunnel; the target sees nothing of the request yet
    const std::string authority = url.host + ":" + std::to_string(url.EffectivePort());
    std::string connect = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!proxy->authorization.empty()) {
      connect += "Proxy-Authorization: " + proxy->authorization + "\r\n";
    }
    connect += "User-Agent: " + impl.options.user_agent + "\r\n\r\n";
    auto [wec, wn] = co_await asio::async_write(*conn->plain, asio::buffer(connect), kUse);
    if (wec || cancelled || timed_out) {
      co_return ConnectError("CONNECT through " + where, wec);
    }
    http::response_parser<http::empty_body> parser;
    parser.skip(true);
    auto [rec, rn] = co_await http::async_read_header(*conn->plain, conn->buffer, parser, kUse);
    if (rec || cancelled || timed_out) {
      co_return ConnectError("CONNECT through " + where, rec);
    }
    const unsigned status = parser.get().result_int();
    if (status / 100 != 2 || conn->buffer.size() != 0) {
      co_return HttpError{HttpErrorKind::kConnectFailed,
                          "proxy " + where + " refused CONNECT " + authority + ": " + std::to_string(status),
                          sent};
    }
  }
  if (tls) {
    const std::string name = StripBrackets(url.host);
    conn->tls.emplace(std::move(*conn->plain), impl.ssl_ctx);
    conn->plain.reset();
    if (!IsIpLiteral(name)) {
      SSL_set_tlsext_host_name(conn->tls->native_handle(), name.c_str());
    }
    conn->tls->set_verify_mode(ssl::verify_peer);
    conn->tls->set_verify_callback(ssl::host_name_verification(name));
    auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, kUse);
    if (hec || cancelled || timed_out) {
      co_return ConnectError("TLS handshake with " + name, hec);
    }
  }
  Disarm();
  co_return std::nullopt;
}

asio::awaitable<HttpResult> Exchange::Exchange1(std::shared_ptr<Conn> c, bool& got_response_bytes) {
  sent = true;
  Arm(request.read_timeout);
  auto [wec, wn] = c->tls ? co_await asio::async_write(*c->tls, asio::buffer(wire), kUse)
                          : co_await asio::async_write(*c->plain, asio::buffer(wire), kUse);
  if (wec || cancelled || timed_out) {
    co_return SentError(wec);
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(request.max_response_bytes);
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(kHeaderLimit, std::max<std::size_t>(request.max_response_bytes, 1024))));
  if (request.method == "HEAD") {
    parser.skip(true);
  }
  while (!parser.is_done()) {
    Arm(request.read_timeout);
    auto [rec, rn] = c->tls ? co_await http::async_read_some(*c->tls, c->buffer, parser, kUse)
                            : co_await http::async_read_some(*c->plain, c->buffer, parser, kUse);
    got_response_bytes |= parser.got_some() || c->buffer.size() > 0;
    if (rec || cancelled || timed_out) {
      co_return SentError(rec);
    }
  }
  Disarm();
  auto& message = parser.get();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  const bool keep = message.keep_alive() && c->buffer.size() == 0 && pooled;
  conn.reset();
  if (keep) {
    impl.ReleaseIdle(key, std::move(c));
  } else {
    c->Close();
  }
  co_return response;
}

void Impl::Start(HttpRequest request, std::stop_token stop, Done done, const asio::any_io_executor& ex,
                 bool pooled) {
  auto url = ParseUrl(request.url);
  if (!url.ok() || (url->scheme != "http" && url->scheme != "https")) {
    done(HttpError{HttpErrorKind::kInvalidRequest, "unsupported URL: " + request.url, false});
    return;
  }
  auto proxy = ProxyFor(proxies, url->scheme, url->host);
  if (!proxy.ok()) {
    done(HttpError{HttpErrorKind::kInvalidRequest, proxy.error().message, false});
    return;
  }
  auto x = std::make_shared<Exchange>(*this, ex, pooled);
  x->url = std::move(*url);
  x->proxy = std::move(*proxy);
  const bool absolute_form = x->proxy && x->url.scheme == "http";
  if (auto error = BuildWire(request, x->url, absolute_form, x->proxy, options.user_agent, x->wire)) {
    done(HttpError{HttpErrorKind::kInvalidRequest, *error, false});
    return;
  }
  if (stop.stop_requested()) {
    done(HttpError{HttpErrorKind::kCancelled, "cancelled before sending", false});
    return;
  }
  x->key = x->url.scheme + "://" + x->url.host + ":" + std::to_string(x->url.EffectivePort()) +
           (x->proxy ? " via " + x->proxy->Key() : "");
  x->request = std::move(request);
  x->request.read_timeout = std::max(x->request.read_timeout, milliseconds(1));
  x->done = std::move(done);
  if (stop.stop_possible()) {
    x->stop_watch.emplace(stop, [weak = std::weak_ptr<Exchange>(x), ex] {
      asio::post(ex, [weak] {
        if (auto self = weak.lock()) {
          self->cancelled = true;
          self->Abort();
        }
      });
    });
  }
  asio::co_spawn(ex, Exchange::Run(std::move(x)), asio::detached);
}

std::shared_ptr<Conn> Impl::TakeIdle(const std::string& key) {
  auto it = idle.find(key);
  if (it == idle.end()) {
    return nullptr;
  }
  auto now = clock.Steady();
  while (!it->second.empty()) {
    std::shared_ptr<Conn> c = std::move(it->second.back());
    it->second.pop_back();
    if (now - c->idle_since < options.idle_timeout && c->LooksAlive()) {
      return c;
    }
    c->Close();
  }
  idle.erase(it);
  return nullptr;
}

void Impl::ReleaseIdle(const std::string& key, std::shared_ptr<Conn> c) {
  if (closing || options.max_idle_per_origin == 0) {
    c->Close();
    return;
  }
  c->idle_since = clock.Steady();
  auto& list = idle[key];
  list.push_back(std::move(c));
  while (list.size() > options.max_idle_per_origin) {
    list.front()->Close();
    list.pop_front();
  }
  ArmSweep();
}

// Closes idle connections past idle_timeout, every idle_timeout while any are idle.
void Impl::ArmSweep() {
  if (sweep_armed || closing) {
    return;
  }
  sweep_armed = true;
  sweep.expires_after(options.idle_timeout);
  sweep.async_wait([this](beast::error_code ec) {
    sweep_armed = false;
    if (ec || closing) {
      return;
    }
    auto now = clock.Steady();
    for (auto it = idle.begin(); it != idle.end();) {
      auto& list = it->second;
      while (!list.empty() && now - list.front()->idle_since >= options.idle_timeout) {
        list.front()->Close();
        list.pop_front();
      }
      it = list.empty() ? idle.erase(it) : std::next(it);
    }
    if (!idle.empty()) {
      ArmSweep();
    }
  });
}

void Impl::Shutdown() {
  closing = true;
  sweep.cancel();
  for (auto& [key, list] : idle) {
    for (auto& c : list) {
      c->Close();
    }
  }
  idle.clear();
  for (Exchange* x : active) {
    x->cancelled = true;
    x->Abort();
  }
}

AsioHttpClient::AsioHttpClient(AsioHttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

AsioHttpClient::~AsioHttpClient() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->Shutdown(); });
  impl_->work.reset();
  impl_->thread.join();
}

long AsioHttpClient::connections_opened() const { return impl_->opened.load(); }

void AsioHttpClient::SendAsync(HttpRequest request, std::stop_token stop, Done done) {
  impl_->Start(std::move(request), std::move(stop), std::move(done), impl_->io.get_executor(), true);
}

HttpResult AsioHttpClient::Send(const HttpRequest& request, std::stop_token stop) {
  if (impl_->io.get_executor().running_in_this_thread()) {
    // From the I/O thread (inside a `done`): waiting for that thread would deadlock, so run this exchange
    // on a private loop here, on a fresh connection.
    asio::io_context local;
    std::optional<HttpResult> out;
    impl_->Start(
        request, std::move(stop), [&out](HttpResult r) { out.emplace(std::move(r)); }, local.get_executor(),
        false);
    local.run();
    return std::move(*out);
  }
  auto promise = std::make_shared<std::promise<HttpResult>>();
  auto future = promise->get_future();
  SendAsync(request, std::move(stop), [promise](HttpResult r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace lmcp::aws

#include "transport/http_listener.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "transport/http_wire.h"

namespace lmcp::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 16 * 1024 * 1024;

size_t HttpListener::FdsNeeded(const HttpListenerOptions& options) {
  return options.max_connections + options.probe_reserve + 256;
}

// One accepted connection. Owned by its coroutine (shared_ptr); the waker of a stream holds a weak_ptr.
struct Conn {
  explicit Conn(tcp::socket socket, size_t buffer_limit)
      : stream(std::move(socket)), buffer(buffer_limit), timer(stream.get_executor()) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  asio::steady_timer timer;  // a stream's wake-up: frames arrived, the peer left, or the keep-alive is due
  std::string address;
  std::string principal;  // counted toward its cap once set
  bool probe_only = false;
  bool woken = false;
  bool peer_gone = false;
  bool streamed = false;  // an SSE response ran and its reader may still own the socket's read side
  bool reading = false;   // a stream's reader is waiting on the socket
  bool stop_reading = false;

  void Close() {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
    timer.cancel();
  }
};

struct HttpListener::Impl {
  explicit Impl(int handler_threads) : handlers(static_cast<size_t>(std::max(1, handler_threads))) {}

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  // The accept loop and the acceptor's close run on this strand, never at once.
  asio::strand<asio::io_context::executor_type> accept_strand = asio::make_strand(ioc);
  tcp::acceptor acceptor{ioc};
  std::atomic<bool> accepting_stopped{false};
  asio::thread_pool handlers;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  bool stopped = false;

  std::mutex mu;                    // the maps below
  std::condition_variable live_cv;  // `live` shrank
  std::unordered_map<std::string, size_t> per_address;
  std::unordered_map<std::string, size_t> per_principal;
  std::unordered_map<Conn*, std::weak_ptr<Conn>> live;
  size_t probe_slots = 0;
  // Serves every connection; lives as long as the listener, since connections outlive the accept loop.
  std::shared_ptr<ConnectionServer> server;
};

HttpListener::HttpListener(HttpListenerOptions options, HttpHandler& handler)
    : options_(std::move(options)), handler_(handler) {}

HttpListener::~HttpListener() { Stop(); }

namespace {

// Runs `f` on the handler pool and resumes on the caller's executor with its result.
template <class F>
awaitable<std::invoke_result_t<F>> OnPool(asio::thread_pool& pool, F f) {
  co_return co_await asio::co_spawn(
      pool.get_executor(), [&f]() -> awaitable<std::invoke_result_t<F>> { co_return f(); }, use_awaitable);
}

HttpHead MakeHead(const http::request_parser<http::empty_body>& parser, const std::string& address) {
  const auto& msg = parser.get();
  HttpHead head;
  head.method = std::string(msg.method_string());
  head.target = std::string(msg.target());
  head.path = head.target.substr(0, head.target.find('?'));
  for (const auto& field : msg) {
    head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  head.remote_addr = address;
  if (auto length = parser.content_length()) {
    head.content_length = *length;
  }
  head.has_body = parser.chunked() || (head.content_length && *head.content_length > 0);
  return head;
}

// Raises the soft open-file limit to what `options` needs, or says why it cannot.
Status EnsureFileLimit(const HttpListenerOptions& options) {
  rlimit limit{};
  size_t needed = HttpListener::FdsNeeded(options);
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) {
    return Ok();
  }
  if (limit.rlim_max >= needed) {
    limit.rlim_cur = needed;
    setrlimit(RLIMIT_NOFILE, &limit);
    return Ok();
  }
  return Error::FailedPrecondition("--max-connections " + std::to_string(options.max_connections) +
                                   " needs about " + std::to_string(needed) +
                                   " open files, but the limit is " + std::to_string(limit.rlim_max) +
                                   " (ulimit -n): raise the limit or lower --max-connections");
}

// Resolves host:port, then opens, binds and listens `acceptor` on it.
Status Listen(asio::io_context& ioc, tcp::acceptor& acceptor, const HttpListenerOptions& options) {
  std::string where = options.host + ":" + std::to_string(options.port);
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return Error::InvalidArgument("http: cannot resolve listen address " + where + ": " + ec.message());
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    // SO_REUSEADDR only (restart while old connections linger in TIME_WAIT); never SO_REUSEPORT, so a second
    // server on a port in use fails here instead of sharing it.
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return Error::Unavailable(
        "http: cannot listen on " + where + ": " + ec.message() +
        (ec == asio::error::address_in_use ? " (is another server running on it?)" : ""));
  }
  return Ok();
}

}  // namespace

class ConnectionServer {
 public:
  ConnectionServer(const HttpListenerOptions& options, HttpHandler& handler, HttpListener::Counters& counters,
                   HttpListener::Impl& impl)
      : options_(options), handler_(handler), counters_(counters), impl_(impl) {}

  // Accepts connections until the acceptor closes; each that gets a slot (Admit) is served on its own strand.
  awaitable<void> AcceptLoop();

  // Serves requests until the connection ends, then closes it gracefully.
  awaitable<void> Run(std::shared_ptr<Conn> c) {
    co_await Serve(c);
    co_await LingeringClose(*c);
  }

 private:
  awaitable<void> Serve(std::shared_ptr<Conn> c);
  // After a failed head read: the answer it calls for (413, 431, 400), or none (timeout, the peer left).
  awaitable<void> RefuseHead(Conn& c, beast::error_code ec);
  // Reads the body the head announced into `request` (answering Expect: 100-continue first) and updates
  // `keep_alive`; false when the connection is to end (refused with 413/400, timed out or failed).
  awaitable<bool> ReadBody(Conn& c, http::request_parser<http::empty_body>& head_parser, HttpRequest& request,
                           bool& keep_alive);
  // After a refusal the client may still be sending the body we did not read: closing with unread bytes
  // would reset the connection and destroy our answer in the client's buffers. So, as nginx does, shut our
  // side and discard what arrives — bounded in bytes and time — until the client closes.
  awaitable<void> LingeringClose(Conn& c);
  // Writes `data` within the write timeout; false when the connection failed.
  awaitable<bool> WriteRaw(Conn& c, std::string data) {
    c.stream.expires_after(options_.write_timeout);
    auto [ec, n] = co_await asio::async_write(c.stream, asio::buffer(data), kTuple);
    (void)n;
    co_return !ec;
  }
  awaitable<void> Refuse(Conn& c, int status, std::string_view message) {
    co_await WriteRaw(c, CannedResponse(status, message));
  }
  // Writes a whole response or runs a stream; true when the connection can serve another request.
  awaitable<bool> Write(const std::shared_ptr<Conn>& c, HttpResponse& response);
  // Runs an SSE stream to its end; true when it ended whole (the channel closed, the terminating chunk
  // written) and the connection can serve another request.
  awaitable<bool> Stream(const std::shared_ptr<Conn>& c, HttpResponse& response);
  // Stops a stream's reader and waits until it has returned, so the next request head is read by Serve alone.
  awaitable<void> StopReader(const std::shared_ptr<Conn>& c);
  // Attributes the connection to `principal`; false when that principal has its maximum of connections.
  bool CountPrincipal(Conn& c, const std::string& principal);
  // Takes a slot for a new connection from `address`: true for a normal one, false for a probe-only one (the
  // server is full, a reserve slot is left for health probes), nullopt when there is none (to answer 503).
  std::optional<bool> Admit(const std::string& address);
  // Gives back the slots a finished connection held; logs the exception that ended it, if any.
  void Release(Conn& conn, std::exception_ptr e);

  const HttpListenerOptions& options_;
  HttpHandler& handler_;
  HttpListener::Counters& counters_;
  HttpListener::Impl& impl_;
};

bool ConnectionServer::CountPrincipal(Conn& c, const std::string& principal) {
  if (principal.empty() || c.principal == principal) {
    return true;
  }
  std::lock_guard lock(impl_.mu);
  if (!c.principal.empty()) {
    if (--impl_.per_principal[c.principal] == 0) {
      impl_.per_principal.erase(c.principal);
    }
    c.principal.clear();
  }
  size_t& count =
      impl_.per_principal[principal];  // the cap is at least 1: an entry made here is not left at 0
  if (count >= options_.max_connections_per_principal) {
    return false;
  }
  ++count;
  c.principal = principal;
  return true;
}

awaitable<void> ConnectionServer::Serve(std::shared_ptr<Conn> c) {
  for (;;) {
    http::request_parser<http::empty_body> head_parser;
    head_parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    head_parser.body_limit(options_.max_body_bytes);  // a larger Content-Length fails the head: 413
    auto header_timeout = options_.header_timeout;
    if (c->probe_only) {
      header_timeout = std::min(header_timeout, std::chrono::milliseconds(2000));
    }
    c->stream.expires_after(header_timeout);
    auto [ec, n] = co_await http::async_read_header(c->stream, c->buffer, head_parser, kTuple);
    (void)n;
    if (ec) {
      co_await RefuseHead(*c, ec);
      co_return;
    }
    HttpHead head = MakeHead(head_parser, c->address);
    if (head.headers.size() > options_.max_header_count) {
      counters_.header_too_large++;
      co_await Refuse(*c, 431, "Request header fields too large: too many headers");
      co_return;
    }
    if (c->probe_only && !handler_.IsProbe(head)) {
      counters_.rejected_full++;
      co_await Refuse(*c, 503, "Server is full: too many connections");
      co_return;
    }
    if (impl_.stopping) {
      co_await Refuse(*c, 503, "Server is shutting down");
      co_return;
    }
    std::optional<HttpResponse> early =
        co_await OnPool(impl_.handlers, [&] { return handler_.OnHead(head); });
    if (early) {
      early->close = early->close || head.has_body || c->probe_only;
      bool ok = co_await Write(c, *early);
      if (!ok || early->close) {
        co_return;
      }
      continue;
    }
    if (!CountPrincipal(*c, head.principal)) {
      counters_.rejected_full++;
      co_await Refuse(*c, 503, "Too many connections for this client");
      co_return;
    }
    HttpRequest request{std::move(head), {}};
    bool keep_alive = head_parser.get().keep_alive();
    if (request.head.has_body) {
      bool read = co_await ReadBody(*c, head_parser, request, keep_alive);
      if (!read) {
        co_return;
      }
    }
    HttpResponse response =
        co_await OnPool(impl_.handlers, [&] { return handler_.OnRequest(std::move(request)); });
    response.close = response.close || !keep_alive || c->probe_only;
    bool ok = co_await Write(c, response);
    if (!ok || response.close) {
      co_return;
    }
  }
}

awaitable<void> ConnectionServer::RefuseHead(Conn& c, beast::error_code ec) {
  if (ec == beast::error::timeout) {
    counters_.header_timeouts++;  // the stream has closed the socket: nothing more can be said
  } else if (ec == http::error::body_limit) {
    counters_.body_too_large++;
    co_await Refuse(c, 413, "Request body too large");
  } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    counters_.header_too_large++;
    co_await Refuse(c, 431, "Request header fields too large");
  } else if (ec != http::error::end_of_stream && ec != asio::error::eof &&
             ec != asio::error::connection_reset && ec != asio::error::operation_aborted) {
    counters_.bad_requests++;
    co_await Refuse(c, 400, "Bad Request: malformed HTTP");
  }
}

awaitable<bool> ConnectionServer::ReadBody(Conn& c, http::request_parser<http::empty_body>& head_parser,
                                           HttpRequest& request, bool& keep_alive) {
  if (beast::iequals(request.head.Header("Expect"), "100-continue")) {
    bool sent = co_await WriteRaw(c, "HTTP/1.1 100 Continue\r\n\r\n");
    if (!sent) {
      co_return false;
    }
  }
  http::request_parser<http::string_body> body_parser(std::move(head_parser));
  body_parser.body_limit(options_.max_body_bytes);
  c.stream.expires_after(options_.body_timeout);
  auto [ec, n] = co_await http::async_read(c.stream, c.buffer, body_parser, kTuple);
  (void)n;
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow) {
    counters_.body_too_large++;
    co_await Refuse(c, 413, "Request body too large");
    co_return false;
  }
  if (ec == beast::error::timeout) {
    co_return false;  // the stream has closed the socket
  }
  if (ec) {
    counters_.bad_requests++;
    co_await Refuse(c, 400, "Bad Request: malformed HTTP body");
    co_return false;
  }
  keep_alive = body_parser.get().keep_alive();
  request.body = std::move(body_parser.get().body());
  co_return true;
}

awaitable<void> ConnectionServer::LingeringClose(Conn& c) {
  if (c.streamed || !c.stream.socket().is_open()) {
    co_return;
  }
  beast::error_code ec;
  c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  c.stream.expires_after(kLingerTime);
  size_t discarded = 0;
  std::array<char, 16 * 1024> sink;
  while (!ec && discarded < kLingerBytes) {
    auto [read_ec, n] = co_await c.stream.async_read_some(asio::buffer(sink), kTuple);
    ec = read_ec;
    discarded += n;
  }
}

awaitable<bool> ConnectionServer::Write(const std::shared_ptr<Conn>& c, HttpResponse& response) {
  std::string head = ResponseHead(response);
  if (response.stream) {
    if (!co_await WriteRaw(*c, std::move(head))) {
      response.stream->Abandon();
      if (response.on_stream_end) {
        response.on_stream_end();
      }
      co_return false;
    }
    co_return co_await Stream(c, response);
  }
  // Head and body go out as two buffers: a large body is never copied.
  c->stream.expires_after(options_.write_timeout);
  std::array<asio::const_buffer, 2> buffers = {asio::buffer(head), asio::buffer(response.body)};
  auto [ec, n] = co_await asio::async_write(c->stream, buffers, kTuple);
  (void)n;
  std::string().swap(response.body);
  co_return !ec;
}

awaitable<bool> ConnectionServer::Stream(const std::shared_ptr<Conn>& c, HttpResponse& response) {
  SseChannel& channel = *response.stream;
  c->streamed = true;
  c->woken = false;
  std::weak_ptr<Conn> weak = c;
  channel.SetWaker([weak] {
    if (auto conn = weak.lock()) {
      asio::post(conn->stream.get_executor(), [conn] {
        conn->woken = true;
        conn->timer.cancel();
      });
    }
  });
  // A dropped client is noticed at once, not on the next write: one read waits for EOF or an error. What it
  // reads (a client's next request, sent early) stays in the connection's buffer for Serve.
  c->reading = true;
  c->stop_reading = false;
  asio::co_spawn(
      c->stream.get_executor(),
      [c]() -> awaitable<void> {
        while (!c->stop_reading) {
          size_t room = std::min<size_t>(4096, c->buffer.max_size() - c->buffer.size());
          if (room == 0) {
            break;  // a client that sends this much unasked is no longer watched for EOF
          }
          auto [ec, n] = co_await c->stream.socket().async_read_some(c->buffer.prepare(room), kTuple);
          c->buffer.commit(n);
          if (ec) {
            c->peer_gone = !c->stop_reading;
            break;
          }
        }
        c->reading = false;
        c->timer.cancel();
      },
      asio::detached);
  bool whole = false;
  for (;;) {
    std::string out;
    std::string frame;
    SseChannel::Next next;
    while ((next = channel.Pop(&frame, std::chrono::milliseconds(0))) == SseChannel::Next::kFrame) {
      out += Chunk(frame);
    }
    if (next == SseChannel::Next::kClosed) {
      out += "0\r\n\r\n";
    }
    if (!out.empty()) {
      bool sent = co_await WriteRaw(*c, std::move(out));
      if (!sent) {
        break;
      }
    }
    if (next == SseChannel::Next::kClosed) {
      whole = !c->peer_gone && !impl_.stopping;
      break;
    }
    if (c->peer_gone || impl_.stopping) {
      break;
    }
    if (c->woken) {
      c->woken = false;
      continue;
    }
    c->timer.expires_after(options_.stream_keepalive);
    auto [ec] = co_await c->timer.async_wait(kTuple);
    if (!ec && !c->peer_gone) {
      bool sent = co_await WriteRaw(*c, Chunk(": keepalive\n\n"));
      if (!sent) {
        break;
      }
    }
  }
  channel.SetWaker(nullptr);
  channel.Abandon();
  if (response.on_stream_end) {
    response.on_stream_end();
  }
  if (!whole || response.close) {
    co_return false;
  }
  co_await StopReader(c);
  co_return !c->peer_gone;
}

awaitable<void> ConnectionServer::StopReader(const std::shared_ptr<Conn>& c) {
  c->stop_reading = true;
  if (c->reading) {
    beast::error_code ignored;
    c->stream.socket().cancel(ignored);
  }
  while (c->reading) {
    c->timer.expires_after(options_.write_timeout);  // the reader cancels it as it returns
    co_await c->timer.async_wait(kTuple);
  }
  c->streamed = false;
  c->woken = false;
}

std::optional<bool> ConnectionServer::Admit(const std::string& address) {
  std::lock_guard lock(impl_.mu);
  bool full = counters_.open.load() >= options_.max_connections ||
              impl_.per_address[address] >= options_.max_connections_per_address;
  if (full && impl_.probe_slots >= options_.probe_reserve) {
    if (impl_.per_address[address] == 0) {
      impl_.per_address.erase(address);
    }
    counters_.rejected_full++;
    return std::nullopt;
  }
  if (full) {
    impl_.probe_slots++;
  } else {
    impl_.per_address[address]++;
    counters_.open++;
  }
  return !full;
}

void ConnectionServer::Release(Conn& conn, std::exception_ptr e) {
  if (e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http: connection from {} failed: {}", conn.address, ex.what());
    }
  }
  beast::error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  conn.stream.close();
  std::lock_guard lock(impl_.mu);
  impl_.live.erase(&conn);
  impl_.live_cv.notify_all();
  if (conn.probe_only) {
    impl_.probe_slots--;
    return;
  }
  counters_.open--;
  if (--impl_.per_address[conn.address] == 0) {
    impl_.per_address.erase(conn.address);
  }
  if (!conn.principal.empty() && --impl_.per_principal[conn.principal] == 0) {
    impl_.per_principal.erase(conn.principal);
  }
}

awaitable<void> ConnectionServer::AcceptLoop() {
  const size_t buffer_limit = options_.max_header_bytes + 128 * 1024;
  for (;;) {
    auto [ec, socket] = co_await impl_.acceptor.async_accept(asio::make_strand(impl_.ioc), kTuple);
    if (ec) {
      if (impl_.stopping || ec == asio::error::operation_aborted || !impl_.acceptor.is_open()) {
        co_return;
      }
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer pause(impl_.ioc, std::chrono::milliseconds(50));  // EMFILE: let fds free up
      co_await pause.async_wait(kTuple);
      continue;
    }
    counters_.accepted++;
    beast::error_code addr_ec;
    std::string address = socket.remote_endpoint(addr_ec).address().to_string();
    socket.set_option(tcp::no_delay(true), addr_ec);
    std::optional<bool> normal = Admit(address);
    if (!normal) {
      static const std::string kFull = CannedResponse(503, "Server is full: too many connections");
      socket.non_blocking(true, addr_ec);
      socket.write_some(asio::buffer(kFull), addr_ec);
      socket.shutdown(tcp::socket::shutdown_both, addr_ec);
      continue;
    }
    auto conn = std::make_shared<Conn>(std::move(socket), buffer_limit);
    conn->address = address;
    conn->probe_only = !*normal;
    {
      std::lock_guard lock(impl_.mu);
      impl_.live[conn.get()] = conn;
    }
    asio::co_spawn(conn->stream.get_executor(), Run(conn),
                   [this, conn](std::exception_ptr e) { Release(*conn, e); });
  }
}

Status HttpListener::Start() {
  impl_ = std::make_unique<Impl>(options_.handler_threads);
  if (Status limit = EnsureFileLimit(options_); !limit.ok()) {
    return limit;
  }
  if (Status listening = Listen(impl_->ioc, impl_->acceptor, options_); !listening.ok()) {
    return listening;
  }
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->server = std::make_shared<ConnectionServer>(options_, handler_, counters_, *impl_);
  asio::co_spawn(impl_->accept_strand, impl_->server->AcceptLoop(), asio::detached);
  int threads = std::max(1, options_.io_threads);
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return Ok();
}

void HttpListener::StopAccepting() {
  if (!impl_ || impl_->accepting_stopped.exchange(true)) {
    return;
  }
  asio::post(impl_->accept_strand, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
}

void HttpListener::Stop() {
  if (!impl_ || impl_->stopped) {
    return;
  }
  impl_->stopping = true;
  StopAccepting();
  std::vector<std::shared_ptr<Conn>> live;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [raw, weak] : impl_->live) {
      if (auto conn = weak.lock()) {
        live.push_back(std::move(conn));
      }
    }
  }
  for (auto& conn : live) {
    asio::post(conn->stream.get_executor(), [conn] { conn->Close(); });
  }
  live.clear();
  {
    // Closed connections end their coroutines; one blocked in a handler ends when the handler returns.
    std::unique_lock lock(impl_->mu);
    if (!impl_->live_cv.wait_for(lock, std::chrono::seconds(5), [this] { return impl_->live.empty(); })) {
      spdlog::warn("http: {} connections did not end in time; stopping the I/O loop", impl_->live.size());
      impl_->ioc.stop();
    }
  }
  impl_->work.reset();
  for (auto& t : impl_->threads) {
    t.join();
  }
  impl_->threads.clear();
  impl_->handlers.join();
  impl_->stopped = true;
}

}  // namespace lmcp::transport

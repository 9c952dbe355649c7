#include "emulator/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/file.h"
#include "common/strings.h"

namespace lmcp::emulator {
namespace {

// Descriptors kept free besides the connections: the listener, stdio, logs, function processes' pipes.
constexpr int kReservedFds = 256;
// How long a connection closed after an error answer still drains what the client sends, so that the close
// does not become a reset that destroys the answer before the client reads it.
constexpr std::chrono::milliseconds kLingerTime{1000};

constexpr char kBusyResponse[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 32\r\n"
    "Retry-After: 1\r\nConnection: close\r\n\r\ntoo many connections, try again\n";

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

// SO_LINGER 0: close() sends a TCP reset instead of a FIN.
void ResetAndClose(int fd) {
  linger lg{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);
}

std::string HttpDate() {
  char buf[64];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

enum class ReadResult { kData, kClosed, kTimeout };

// Waits up to `timeout` for bytes on `fd` and appends what one recv() gives to *out.
ReadResult ReadSome(int fd, std::chrono::milliseconds timeout, std::string* out) {
  using SteadyClock = std::chrono::steady_clock;
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    pollfd pfd{fd, POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1'000'000)));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r == 0) {
      return ReadResult::kTimeout;
    }
    if (r < 0) {
      return ReadResult::kClosed;
    }
    char tmp[16384];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      continue;
    }
    if (n <= 0) {
      return ReadResult::kClosed;
    }
    out->append(tmp, static_cast<size_t>(n));
    return ReadResult::kData;
  }
}

// Half-closes, then reads and drops what the client still sends until it closes or `limit` passes.
void Linger(int fd, std::chrono::milliseconds limit) {
  ::shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string sink;
  while (std::chrono::steady_clock::now() < deadline) {
    sink.clear();
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (ReadSome(fd, left, &sink) != ReadResult::kData) {
      return;
    }
  }
}

std::string ErrorResponse(int status, const std::string& message) {
  std::string body = message + "\n";
  return "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

// A connection over the cap: whatever the client already sent is read (so that close() sends no reset), the
// 503 is written without blocking, and the socket is closed. Never waits.
void RefuseBusy(int fd) {
  char tmp[4096];
  for (int i = 0; i < 16 && ::recv(fd, tmp, sizeof tmp, MSG_DONTWAIT) > 0; ++i) {
  }
  [[maybe_unused]] ssize_t sent =
      ::send(fd, kBusyResponse, sizeof kBusyResponse - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

// Raises the soft open-file limit to hold `needed` descriptors if the hard limit allows.
Status EnsureFdLimit(int max_connections) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    return Ok();
  }
  const rlim_t needed = static_cast<rlim_t>(max_connections) + kReservedFds;
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < needed) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? needed : std::min(needed, lim.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      lim = raised;
    }
  }
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < needed) {
    return Error::InvalidArgument("--max-connections " + std::to_string(max_connections) + " needs " +
                                  std::to_string(needed) + " open files, but the limit is " +
                                  std::to_string(lim.rlim_cur) + " (ulimit -n)");
  }
  return Ok();
}

}  // namespace

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) {
      continue;
    }
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(PercentDecode(part), "");
    } else {
      out.emplace_back(PercentDecode(part.substr(0, eq)), PercentDecode(part.substr(eq + 1)));
    }
  }
  return out;
}

HttpServer::HttpServer(Handler handler, HttpServerOptions options)
    : handler_(std::move(handler)), options_(std::move(options)) {}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Listen(const std::string& host, int port) {
  if (options_.max_connections < 1) {
    return Error::InvalidArgument("--max-connections must be at least 1");
  }
  if (options_.header_timeout.count() <= 0 || options_.idle_timeout.count() <= 0) {
    return Error::InvalidArgument("--header-timeout-ms and --idle-timeout-ms must be positive");
  }
  if (Status fds = EnsureFdLimit(options_.max_connections); !fds.ok()) {
    return fds.error();
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Error::Unavailable(std::string("socket: ") + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    return Error::InvalidArgument("listen address must be an IPv4 address, got " + host);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    return Error::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " + err);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  listen_fd_ = fd;
  port_ = ntohs(addr.sin_port);
  return port_;
}

void HttpServer::Start() {
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) {
    return;
  }
  if (listen_fd_ >= 0) {
    ::shutdown(listen_fd_, SHUT_RDWR);
  }
  if (accept_thread_.joinable()) {
    accept_thread_.join();
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
  }
  listen_fd_ = -1;
  std::list<std::unique_ptr<Connection>> conns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& c : connections_) {
      if (!c->done) {
        ::shutdown(c->fd, SHUT_RDWR);
      }
    }
    conns.swap(connections_);
  }
  for (auto& c : conns) {
    if (c->thread.joinable()) {
      c->thread.join();
    }
  }
}

void HttpServer::ReapFinished() {
  std::list<std::unique_ptr<Connection>> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done) {
        finished.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished) {
    c->thread.join();
  }
}

void HttpServer::AcceptLoop() {
  while (!stopping_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    int r = ::poll(&pfd, 1, 200);
    if (r <= 0) {
      ReapFinished();
      continue;
    }
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    ReapFinished();
    if (active_.load() >= options_.max_connections) {
      spdlog::debug("local endpoint: {} connections open, refusing one with 503", active_.load());
      RefuseBusy(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      break;
    }
    auto conn = std::make_unique<Connection>();
    conn->fd = fd;
    Connection* raw = conn.get();
    connections_.push_back(std::move(conn));
    ++active_;
    raw->thread = std::thread([this, raw] { ServeConnection(raw); });
  }
}

HttpServer::ReadOutcome HttpServer::ReadRequest(int fd, RequestParser& parser, std::string& pending,
                                                bool first,
                                                std::chrono::steady_clock::time_point& head_deadline) {
  using SteadyClock = std::chrono::steady_clock;
  for (;;) {
    const bool was_started = parser.started();
    size_t used = 0;
    RequestParser::Event event = parser.Feed(pending, &used);
    pending.erase(0, used);
    if (!first && !was_started && parser.started()) {
      head_deadline = SteadyClock::now() + options_.header_timeout;
    }
    if (event == RequestParser::Event::kHeadComplete) {
      if (parser.expects_continue()) {
        WriteAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
      }
      continue;
    }
    if (event == RequestParser::Event::kError) {
      return ReadOutcome::kError;
    }
    if (event != RequestParser::Event::kNeedMore) {
      return ReadOutcome::kRequest;
    }
    std::chrono::milliseconds wait = options_.idle_timeout;
    if (parser.in_head() && (first || parser.started())) {
      wait = std::chrono::duration_cast<std::chrono::milliseconds>(head_deadline - SteadyClock::now());
    }
    ReadResult r = wait.count() > 0 ? ReadSome(fd, wait, &pending) : ReadResult::kTimeout;
    if (r == ReadResult::kClosed || stopping_) {
      return ReadOutcome::kClosed;
    }
    if (r == ReadResult::kTimeout) {
      return ReadOutcome::kTimedOut;
    }
  }
}

bool HttpServer::Respond(int fd, const ServerResponse& res, bool keep_alive, bool* reset) {
  if (res.disconnect == Disconnect::kResetNoResponse) {
    *reset = true;
    return false;
  }
  std::string out = "HTTP/1.1 " + std::to_string(res.status) + " " + Reason(res.status) + "\r\n";
  for (const auto& [k, v] : res.headers) {
    out += k + ": " + v + "\r\n";
  }
  out += "Date: " + HttpDate() + "\r\n";
  out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (res.disconnect == Disconnect::kResetBeforeBody) {
    WriteAll(fd, out);
    *reset = true;
    return false;
  }
  out += res.body;
  if (!WriteAll(fd, out)) {
    return false;
  }
  if (res.disconnect == Disconnect::kResetAfterBody) {
    *reset = true;
    return false;
  }
  return true;
}

void HttpServer::ServeConnection(Connection* conn) {
  const int fd = conn->fd;
  RequestParser parser(options_.limits);
  std::string pending;  // received, not yet given to the parser (at most one recv())
  bool reset = false;
  bool linger = false;
  bool first = true;
  // The first request's head is due header_timeout after accept; a later one's after its first byte.
  auto head_deadline = std::chrono::steady_clock::now() + options_.header_timeout;
  for (;;) {
    ReadOutcome read = ReadRequest(fd, parser, pending, first, head_deadline);
    if (read == ReadOutcome::kClosed) {
      break;
    }
    if (read == ReadOutcome::kTimedOut) {
      // Nothing of a request yet: a quiet close (an idle keep-alive connection); otherwise 408.
      if (parser.started()) {
        WriteAll(fd, ErrorResponse(408, parser.in_head() ? "request head not received in time"
                                                         : "request body stalled"));
        linger = true;
      }
      break;
    }
    if (read == ReadOutcome::kError) {
      WriteAll(fd, ErrorResponse(parser.error_status(), parser.error_message()));
      linger = true;
      break;
    }
    ServerRequest req = parser.TakeRequest();
    req.peer_fd = fd;
    first = false;
    bool keep_alive = req.version == "HTTP/1.1" && !IEquals(HeaderValue(req.headers, "Connection"), "close");
    if (!Respond(fd, handler_(req), keep_alive, &reset) || !keep_alive || stopping_) {
      break;
    }
  }
  // Let the peer read what was sent (loopback delivers at once) before the reset discards the connection.
  if (reset) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Give back what a refused request held (up to the body cap) before lingering.
  parser.TakeRequest();
  std::string().swap(pending);
  if (linger && !stopping_) {
    Linger(fd, std::min(kLingerTime, options_.idle_timeout));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reset) {
      ResetAndClose(fd);
    } else {
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
    --active_;
    conn->done = true;
  }
}

}  // namespace lmcp::emulator

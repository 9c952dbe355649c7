#include "emulator/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <spdlog/spdlog.h>

namespace lmcp::emulator {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

const char* Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
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

// Buffered reader over a socket.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}
  // Reads until `delim` is in the buffer; returns the data up to and including it.
  bool ReadUntil(std::string_view delim, size_t limit, std::string* out) {
    for (;;) {
      size_t pos = buf_.find(delim);
      if (pos != std::string::npos) {
        *out = buf_.substr(0, pos + delim.size());
        buf_.erase(0, pos + delim.size());
        return true;
      }
      if (buf_.size() > limit || !Fill()) return false;
    }
  }
  bool ReadExact(size_t n, std::string* out) {
    while (buf_.size() < n) {
      if (!Fill()) return false;
    }
    out->append(buf_, 0, n);
    buf_.erase(0, n);
    return true;
  }

 private:
  bool Fill() {
    char tmp[16384];
    for (;;) {
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
      return true;
    }
  }
  int fd_;
  std::string buf_;
};

}  // namespace

std::string HeaderValue(const aws::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) return v;
  }
  return "";
}

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
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(PercentDecode(part), "");
    } else {
      out.emplace_back(PercentDecode(part.substr(0, eq)), PercentDecode(part.substr(eq + 1)));
    }
  }
  return out;
}

HttpServer::HttpServer(Handler handler) : handler_(std::move(handler)) {}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Listen(const std::string& host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::Unavailable(std::string("socket: ") + std::strerror(errno));
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

void HttpServer::Start() { accept_thread_ = std::thread([this] { AcceptLoop(); }); }

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::unique_ptr<Connection>> conns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& c : connections_) {
      if (!c->done) ::shutdown(c->fd, SHUT_RDWR);
    }
    conns.swap(connections_);
  }
  for (auto& c : conns) {
    if (c->thread.joinable()) c->thread.join();
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
  for (auto& c : finished) c->thread.join();
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
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ReapFinished();
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      break;
    }
    auto conn = std::make_unique<Connection>();
    conn->fd = fd;
    Connection* raw = conn.get();
    connections_.push_back(std::move(conn));
    raw->thread = std::thread([this, raw] { ServeConnection(raw); });
  }
}

void HttpServer::ServeConnection(Connection* conn) {
  int fd = conn->fd;
  Reader reader(fd);
  bool reset = false;
  for (;;) {
    std::string head;
    if (!reader.ReadUntil("\r\n\r\n", kMaxHeaderBytes, &head)) break;
    ServerRequest req;
    size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) {
      SendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      break;
    }
    req.method = request_line.substr(0, sp1);
    req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string version = request_line.substr(sp2 + 1);
    size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
    size_t pos = line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == pos || e == std::string::npos) break;
      std::string line = head.substr(pos, e - pos);
      pos = e + 2;
      if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !req.headers.empty()) {
        req.headers.back().second += " " + Trim(line);  // obsolete line folding
        continue;
      }
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      req.headers.emplace_back(line.substr(0, colon), Trim(std::string_view(line).substr(colon + 1)));
    }
    if (IEquals(HeaderValue(req.headers, "Expect"), "100-continue")) {
      SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    }
    bool ok = true;
    if (IEquals(HeaderValue(req.headers, "Transfer-Encoding"), "chunked")) {
      for (;;) {
        std::string size_line;
        if (!reader.ReadUntil("\r\n", 1024, &size_line)) {
          ok = false;
          break;
        }
        size_t n = std::strtoul(size_line.c_str(), nullptr, 16);
        if (req.body.size() + n > kMaxBodyBytes) {
          ok = false;
          break;
        }
        if (n == 0) {
          std::string trailer;
          while (reader.ReadUntil("\r\n", 8192, &trailer) && trailer != "\r\n") {
          }
          break;
        }
        std::string crlf;
        if (!reader.ReadExact(n, &req.body) || !reader.ReadExact(2, &crlf)) {
          ok = false;
          break;
        }
      }
    } else if (std::string cl = HeaderValue(req.headers, "Content-Length"); !cl.empty()) {
      size_t n = std::strtoul(cl.c_str(), nullptr, 10);
      if (n > kMaxBodyBytes) {
        SendAll(fd, "HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        break;
      }
      ok = reader.ReadExact(n, &req.body);
    }
    if (!ok) break;
    bool keep_alive = version == "HTTP/1.1" && !IEquals(HeaderValue(req.headers, "Connection"), "close");

    ServerResponse res = handler_(req);
    if (res.disconnect == Disconnect::kResetNoResponse) {
      reset = true;
      break;
    }
    std::string out = "HTTP/1.1 " + std::to_string(res.status) + " " + Reason(res.status) + "\r\n";
    for (const auto& [k, v] : res.headers) out += k + ": " + v + "\r\n";
    out += "Date: " + HttpDate() + "\r\n";
    out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
    out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    if (res.disconnect == Disconnect::kResetBeforeBody) {
      SendAll(fd, out);
      reset = true;
      break;
    }
    out += res.body;
    if (!SendAll(fd, out)) break;
    if (res.disconnect == Disconnect::kResetAfterBody) {
      reset = true;
      break;
    }
    if (!keep_alive || stopping_) break;
  }
  // Let the peer read what was sent (loopback delivers at once) before the reset discards the connection.
  if (reset) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reset) {
      ResetAndClose(fd);
    } else {
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
    conn->done = true;
  }
}

}  // namespace lmcp::emulator

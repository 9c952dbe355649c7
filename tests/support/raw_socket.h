#pragma once
// Raw loopback TCP for tests that send what no well-behaved HTTP client would (slow heads, huge headers,
// bad framing). Blocking sockets; every read is bounded by a timeout.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

namespace lmcp::test_support {

// A blocking TCP connection to 127.0.0.1:port; -1 on failure.
inline int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// False once the peer stops reading or closes.
inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until the peer closes, `max_bytes` arrived, or `timeout` passes; what arrived.
inline std::string ReadSome(int fd, std::chrono::milliseconds timeout, size_t max_bytes = 1 << 20) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[16384];
  while (out.size() < max_bytes) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    if (left <= 0) {
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) {
      break;
    }
    ssize_t n = recv(fd, buf, std::min(sizeof buf, max_bytes - out.size()), 0);
    if (n <= 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Reads until what arrived contains `needle` (appending to `out`), the peer closes, or `timeout` passes;
// whether the needle arrived.
inline bool ReadUntil(int fd, std::string& out, std::string_view needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[16384];
  while (out.find(needle) == std::string::npos) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) {
      return false;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      return false;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return true;
}

// One whole HTTP response with a Content-Length body (or none), for keep-alive connections where reading
// until close would wait for the timeout; what arrived when `timeout` passes first.
inline std::string ReadResponse(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto end = out.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t length = 0;
      auto at = out.find("Content-Length: ");
      if (at != std::string::npos && at < end) {
        length = static_cast<size_t>(std::atol(out.c_str() + at + 16));
      }
      if (out.size() >= end + 4 + length) {
        return out;
      }
    }
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return out;
    }
    std::string more = ReadSome(fd, left, 1);
    if (more.empty()) {
      return out;
    }
    out += more;
  }
}

// The status code of the HTTP status line that starts `raw` ("HTTP/1.1 413 ..."); 0 when none.
inline int StatusOf(const std::string& raw) {
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) {
    return 0;
  }
  return std::atoi(raw.c_str() + 9);
}

}  // namespace lmcp::test_support

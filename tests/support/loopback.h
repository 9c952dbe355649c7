#pragma once
// Loopback servers for tests: a listening socket on 127.0.0.1 port 0, a free port nobody listens on, and an
// httplib::Server run on its own thread. Everything binds 127.0.0.1 only.

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace lmcp::test_support {

// A socket listening on 127.0.0.1 at a port the kernel chose. StopAccepting() wakes a thread blocked in
// accept() (which then fails); the destructor closes the socket, so join that thread first.
class LoopbackListener {
 public:
  explicit LoopbackListener(int backlog = 8) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        (backlog > 0 && listen(fd_, backlog) != 0)) {
      // A test that cannot have its socket cannot run: stop here rather than test a socket on some other
      // address or port.
      std::perror("LoopbackListener");
      std::abort();
    }
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackListener() { close(fd_); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int fd() const { return fd_; }
  int port() const { return port_; }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void StopAccepting() { shutdown(fd_, SHUT_RDWR); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A loopback port with nothing listening on it (bound, then released).
inline int FreeLoopbackPort() {
  LoopbackListener probe(/*backlog=*/0);
  return probe.port();
}

// Runs `server` on 127.0.0.1 at a kernel-chosen port until destroyed.
class HttplibOnLoopback {
 public:
  explicit HttplibOnLoopback(httplib::Server& server) : server_(server) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~HttplibOnLoopback() {
    server_.stop();
    thread_.join();
  }
  HttplibOnLoopback(const HttplibOnLoopback&) = delete;
  HttplibOnLoopback& operator=(const HttplibOnLoopback&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server& server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace lmcp::test_support

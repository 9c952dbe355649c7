#include "tests/support/state/redis_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace lmcp::test_support {
namespace {

std::string FindBinary() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  dirs += ":/usr/sbin:/usr/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string candidate = dir + "/redis-server";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return "";
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) {
    close(fd);
  }
  return port;
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (fd >= 0) {
    close(fd);
  }
  return ok;
}

}  // namespace

std::unique_ptr<RedisServer> RedisServer::Start() {
  std::string binary = FindBinary();
  if (binary.empty()) {
    ADD_FAILURE() << "redis-server is not installed; install it: apt-get install redis-server";
    return nullptr;
  }
  char templ[] = "/tmp/lmcp-redis-XXXXXX";
  if (mkdtemp(templ) == nullptr) {
    ADD_FAILURE() << "no temp dir for redis-server";
    return nullptr;
  }
  std::unique_ptr<RedisServer> server(new RedisServer(binary, templ, FreePort()));
  if (!server->Launch()) {
    return nullptr;
  }
  return server;
}

RedisServer::RedisServer(std::string binary, std::string dir, int port)
    : binary_(std::move(binary)), dir_(std::move(dir)), port_(port) {}

RedisServer::~RedisServer() {
  Kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool RedisServer::Launch() {
  std::string port = std::to_string(port_);
  pid_ = fork();
  if (pid_ == 0) {
    execl(binary_.c_str(), binary_.c_str(), "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
          "--appendonly", "no", "--dir", dir_.c_str(), "--daemonize", "no", "--loglevel", "warning",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Readiness, not a timer: poll until it accepts, up to 10 s.
  for (int i = 0; i < 1000; ++i) {
    if (Accepts(port_)) {
      return true;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "redis-server exited at start (port " << port_ << ")";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "redis-server did not accept connections on port " << port_;
  Kill();
  return false;
}

void RedisServer::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

bool RedisServer::Restart() {
  Kill();
  return Launch();
}

}  // namespace lmcp::test_support

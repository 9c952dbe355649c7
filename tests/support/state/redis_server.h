#pragma once
// A real redis-server for the state tests: started on a free loopback port in a temp dir, with no
// persistence (--save '' --appendonly no), stopped (SIGKILL: "Redis down") and started again on the same
// port mid-test. When redis-server is not installed, Start fails the test with the install command.

#include <sys/types.h>

#include <memory>
#include <string>

namespace lmcp::test_support {

class RedisServer {
 public:
  // Null (and the test failed) when redis-server is missing or does not come up.
  static std::unique_ptr<RedisServer> Start();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  void Kill();     // SIGKILL and wait: Redis is down
  bool Restart();  // the same port again (empty: no persistence); false (and a test failure) if it fails

 private:
  RedisServer(std::string binary, std::string dir, int port);
  bool Launch();
  std::string binary_;
  std::string dir_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace lmcp::test_support

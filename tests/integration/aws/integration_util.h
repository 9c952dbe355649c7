#pragma once
// Helpers for the aws integration tests: a moto_server child process on a free loopback port. (Their clock is
// FakeClock in SleepMode::kAdvance, started at the wall time: back-off is recorded, not waited for.)

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/asio_http_client.h"
#include "common/clock.h"
#include "tests/support/loopback.h"

extern char** environ;

namespace lmcp::aws::integration {

using test_support::FreeLoopbackPort;

// A Python function's zip (lambda_function.lambda_handler returns its event), base64, for CreateFunction.
inline constexpr char kEchoZip[] =
    "UEsDBBQAAAAAAHY0el17R5BaNQAAADUAAAASAAAAbGFtYmRhX2Z1bmN0aW9uLnB5ZGVmIGxhbWJkYV9oYW5kbGVyKGV2ZW50LCBjb250"
    "ZXh0KToKIC"
    "AgIHJldHVybiBldmVudApQSwECFAMUAAAAAAB2NHpde0eQWjUAAAA1AAAAEgAAAAAAAAAAAAAAgAEAAAAAbGFtYmRhX2Z1bmN0aW9uLn"
    "B5UEsFBgAA"
    "AAABAAEAQAAAAGUAAAAAAA==";

inline bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) {
    return false;
  }
  std::string p = path;
  std::size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find(':', start);
    std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) {
      return true;
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return false;
}

// moto_server -H 127.0.0.1 -p <free port>, optionally with signature checking after `no_auth_count` actions.
class MotoServer {
 public:
  // Empty on success, else why it could not start.
  std::string Start(int no_auth_count = -1) {
    if (!OnPath("moto_server")) {
      return "moto_server is not on PATH (pip install 'moto[server]==5.2.1')";
    }
    port_ = FreeLoopbackPort();
    std::string port = std::to_string(port_);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string s = *e;
      if (!s.starts_with("INITIAL_NO_AUTH_ACTION_COUNT=")) {
        env_strings.push_back(s);
      }
    }
    if (no_auth_count >= 0) {
      env_strings.push_back("INITIAL_NO_AUTH_ACTION_COUNT=" + std::to_string(no_auth_count));
    }
    std::vector<char*> envp;
    for (auto& s : env_strings) {
      envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> args = {"moto_server", "-H", "127.0.0.1", "-p", port};
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&pid_, "moto_server", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      return "cannot start moto_server";
    }
    AsioHttpClient http;
    for (int i = 0; i < 300; ++i) {
      auto r = http.Send(HttpRequest{.url = url() + "/moto-api/",
                                     .connect_timeout = std::chrono::milliseconds(200),
                                     .read_timeout = std::chrono::milliseconds(2000)});
      if (r.ok() && r->status == 200) {
        return "";
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "moto_server exited during start-up";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "moto_server did not answer within 30 s";
  }

  ~MotoServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace lmcp::aws::integration

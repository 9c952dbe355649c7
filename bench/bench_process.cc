#include "bench/bench_process.h"

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

extern char** environ;

namespace lmcp::bench {

Child::~Child() {
  if (in_fd_ >= 0) {
    close(in_fd_);
  }
  if (out_fd_ >= 0) {
    close(out_fd_);
  }
  if (pid_ > 0 && !exited_) {
    Kill();
  }
}

bool Child::Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                  const std::string& stderr_path) {
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
    std::perror("pipe");
    return false;
  }
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) {
      merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  for (const auto& [k, v] : env) {
    if (v.empty()) {
      merged.erase(k);
    } else {
      merged[k] = v;
    }
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : merged) {
    env_strings.push_back(k + "=" + v);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& s : args) {
    argp.push_back(s.data());
  }
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (rc != 0) {
    std::fprintf(stderr, "spawn %s: %s\n", argp[0], std::strerror(rc));
    close(in_pipe[1]);
    close(out_pipe[0]);
    return false;
  }
  pid_ = pid;
  in_fd_ = in_pipe[1];
  out_fd_ = out_pipe[0];
  exited_ = false;
  buffer_.clear();
  return true;
}

std::optional<std::string> Child::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = Now() + timeout;
  while (true) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (out_fd_ < 0) {
      return std::nullopt;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Now()).count();
    if (left <= 0) {
      return std::nullopt;
    }
    pollfd p{out_fd_, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return std::nullopt;
    }
    char buf[65536];
    ssize_t got = read(out_fd_, buf, sizeof buf);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      close(out_fd_);
      out_fd_ = -1;
      continue;
    }
    buffer_.append(buf, static_cast<size_t>(got));
  }
}

bool Child::WriteAll(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    if (in_fd_ < 0) {
      return false;
    }
    ssize_t n = write(in_fd_, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

void Child::CloseStdin() {
  if (in_fd_ >= 0) {
    close(in_fd_);
  }
  in_fd_ = -1;
}

int Child::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) {
    return -1;
  }
  if (exited_) {
    return status_;
  }
  auto deadline = Now() + timeout;
  while (Now() < deadline) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  Kill();
  return -1;
}

void Child::Kill() {
  if (pid_ <= 0 || exited_) {
    return;
  }
  kill(pid_, SIGKILL);
  int st = 0;
  waitpid(pid_, &st, 0);
  exited_ = true;
  status_ = -1;
}

bool Child::alive() {
  if (pid_ <= 0 || exited_) {
    return false;
  }
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    exited_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

long StatusField(int pid, const char* field) {
  if (pid <= 0) {
    return 0;
  }
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':') {
      return std::atol(line.c_str() + len + 1);
    }
  }
  return 0;
}

long Child::PeakRssKb() const { return StatusField(pid_, "VmHWM"); }
long Child::RssKb() const { return StatusField(pid_, "VmRSS"); }

Json McpClient::SendRequest(const std::string& method, const Json& params) {
  Json id = next_id_++;
  Json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) {
    msg["params"] = params;
  }
  child_.WriteAll(msg.dump() + "\n");
  return id;
}

bool McpClient::SendNotification(const std::string& method, const Json& params) {
  Json msg = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) {
    msg["params"] = params;
  }
  return child_.WriteAll(msg.dump() + "\n");
}

bool McpClient::ReadOne(std::chrono::milliseconds timeout) {
  auto line = child_.ReadLine(timeout);
  if (!line) {
    return false;
  }
  Json msg = Json::parse(*line, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded() || !msg.is_object()) {
    return true;  // not ours to judge here
  }
  if (msg.contains("method")) {
    if (msg.contains("id")) {  // a server→client request: refuse
      Json reply = {{"jsonrpc", "2.0"},
                    {"id", msg["id"]},
                    {"error", {{"code", -32601}, {"message", "bench client does not support this"}}}};
      child_.WriteAll(reply.dump() + "\n");
    } else {
      notifications_.push_back(std::move(msg));
    }
    return true;
  }
  if (msg.contains("id")) {
    std::string key = msg["id"].dump();  // before the move: operator= takes its argument by value
    responses_[key] = std::move(msg);
  }
  return true;
}

std::optional<Json> McpClient::WaitResponse(const Json& id, std::chrono::milliseconds timeout) {
  auto deadline = Now() + timeout;
  std::string key = id.dump();
  while (true) {
    auto it = responses_.find(key);
    if (it != responses_.end()) {
      Json r = std::move(it->second);
      responses_.erase(it);
      return r;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Now());
    if (left.count() <= 0) {
      return std::nullopt;
    }
    if (!ReadOne(left)) {
      return std::nullopt;
    }
  }
}

std::optional<Json> McpClient::Initialize(const std::string& protocol_version) {
  auto r = Call("initialize", {{"protocolVersion", protocol_version},
                               {"capabilities", Json::object()},
                               {"clientInfo", {{"name", "lmcp-bench"}, {"version", "1"}}}});
  if (!r || !r->contains("result")) {
    return std::nullopt;
  }
  SendNotification("notifications/initialized");
  return r;
}

std::optional<std::vector<Json>> McpClient::ListAllTools() {
  std::vector<Json> tools;
  Json params = Json::object();
  for (int page = 0; page < 10000; ++page) {
    auto r = Call("tools/list", params, std::chrono::seconds(60));
    if (!r || !r->contains("result")) {
      return std::nullopt;
    }
    for (auto& t : (*r)["result"]["tools"]) {
      tools.push_back(t);
    }
    const Json& result = (*r)["result"];
    if (!result.contains("nextCursor") || result["nextCursor"].is_null()) {
      return tools;
    }
    params = {{"cursor", result["nextCursor"]}};
  }
  return std::nullopt;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size()) / 100.0));
  if (rank == 0) {
    rank = 1;
  }
  return values[std::min(rank, values.size()) - 1];
}

double Median(std::vector<double> values) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::pair<long, std::string> HttpOnce(const std::string& method, const std::string& url,
                                      const std::string& body, std::chrono::milliseconds timeout) {
  auto slash = url.find('/', url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  std::string origin = slash == std::string::npos ? url : url.substr(0, slash);
  httplib::Client client(origin);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  httplib::Request req;
  req.method = method;
  req.path = slash == std::string::npos ? "/" : url.substr(slash);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.body = body;
    req.set_header("Content-Type", "application/json");
  }
  auto res = client.send(req);
  if (!res) {
    return {0, ""};
  }
  return {res->status, res->body};
}

}  // namespace lmcp::bench

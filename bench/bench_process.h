#pragma once
// Child processes for the benchmark driver and the fault matrix: spawn a program with piped stdin/stdout
// (stderr to a file), read stdout line by line with a deadline, and read its peak RSS. McpClient speaks
// newline-delimited JSON-RPC to such a child. Single-threaded use; one owner per object.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lmcp::bench {

using Json = nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

inline SteadyTime Now() { return std::chrono::steady_clock::now(); }
inline double MsSince(SteadyTime t0) { return std::chrono::duration<double, std::milli>(Now() - t0).count(); }

class Child {
 public:
  Child() = default;
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Spawns argv[0] (a path) with the current environment plus `env` (overriding; an empty value unsets).
  // stderr goes to `stderr_path` (appended; "/dev/null" to drop). False with a message on stderr on failure.
  bool Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::string& stderr_path);
  // One line without its '\n'; nullopt on EOF or when `timeout` passes.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  bool WriteAll(const std::string& data);
  void CloseStdin();
  // Waits up to `timeout` for exit (then SIGKILL); returns the exit status or -1.
  int Wait(std::chrono::milliseconds timeout);
  void Kill();
  bool alive();
  int pid() const { return pid_; }
  // VmHWM / VmRSS from /proc/<pid>/status in kB; 0 when unknown.
  long PeakRssKb() const;
  long RssKb() const;

 private:
  int pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool exited_ = false;
  int status_ = -1;
};

// A JSON-RPC client over a Child's stdio. Server notifications are collected; server→client requests
// (sampling, elicitation, roots) are answered with an error.
class McpClient {
 public:
  explicit McpClient(Child& child) : child_(child) {}

  // Sends a request and returns its id.
  Json SendRequest(const std::string& method, const Json& params);
  bool SendNotification(const std::string& method, const Json& params = nullptr);
  // Waits for the response to `id`; nullopt on timeout or EOF.
  std::optional<Json> WaitResponse(const Json& id, std::chrono::milliseconds timeout);
  std::optional<Json> Call(const std::string& method, const Json& params,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return WaitResponse(SendRequest(method, params), timeout);
  }
  // initialize + notifications/initialized; the initialize response, or nullopt.
  std::optional<Json> Initialize(const std::string& protocol_version = "2025-11-25");
  // Every page of tools/list; nullopt on error.
  std::optional<std::vector<Json>> ListAllTools();
  const std::vector<Json>& notifications() const { return notifications_; }

 private:
  bool ReadOne(std::chrono::milliseconds timeout);
  Child& child_;
  long next_id_ = 1;
  std::map<std::string, Json> responses_;  // by id dump
  std::vector<Json> notifications_;
};

// One plain HTTP request with cpp-httplib (a new connection, `timeout` per step): {status, body}; status 0
// when the request failed. For admin endpoints and set-up, not for anything measured.
std::pair<long, std::string> HttpOnce(const std::string& method, const std::string& url,
                                      const std::string& body = "",
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A numeric field of /proc/<pid>/status ("VmRSS", "VmHWM" in kB, "Threads"); 0 when unknown.
long StatusField(int pid, const char* field);

// Nearest-rank percentile (index ceil(p*n/100)-1 of the sorted values), as the reference measurements use.
double Percentile(std::vector<double> values, double p);
double Median(std::vector<double> values);

}  // namespace lmcp::bench

#include "emulator/runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/file.h"
#include "common/iso8601.h"
#include "common/json.h"

extern char** environ;

namespace lmcp::emulator {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr char kSentinelPrefix[] = "\x1eLMCP-END ";

// Reads what is available; false on EOF or error.
bool ReadSome(int fd, std::string& buf) {
  char tmp[65536];
  for (;;) {
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    buf.append(tmp, static_cast<size_t>(n));
    return true;
  }
}

int MillisUntil(Steady::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
  return ms < 0 ? 0 : static_cast<int>(std::min<long long>(ms, 1 << 30));
}

std::string FormatMs(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", ms);
  return buf;
}

bool IsPython(const FunctionSpec& f) { return f.runtime.rfind("python", 0) == 0; }

std::string ErrorObject(const std::string& type, const std::string& message) {
  return json({{"errorType", type}, {"errorMessage", message}}).dump();
}

int MaxMemoryMb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return static_cast<int>(std::strtol(line.c_str() + 6, nullptr, 10) / 1024);
    }
  }
  return 0;
}

}  // namespace

struct ProcessRuntime::Worker {
  pid_t pid = -1;
  int req_fd = -1;  // we write requests
  int res_fd = -1;  // we read responses
  int log_fd = -1;  // we read the handler's stdout+stderr
  std::string res_buf;
  std::string log_buf;
  std::string pending_init_log;  // output of the init phase, reported with the first invocation
  double init_ms = 0;
  std::string exit_reason;  // set once the process is gone
  bool log_eof = false;     // the process closed its stdout and stderr

  ~Worker() {
    if (pid > 0) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    for (int fd : {req_fd, res_fd, log_fd}) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }

  // Waits for the process to end (after EOF on its pipes) and describes how it ended.
  std::string Reap() {
    if (pid <= 0) {
      return exit_reason;
    }
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        break;
      }
      if (i == 99) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, &status, 0);
      }
      ::usleep(10'000);
    }
    pid = -1;
    if (WIFEXITED(status)) {
      exit_reason = "exit status " + std::to_string(WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
      exit_reason = std::string("signal: ") + ::strsignal(WTERMSIG(status));
    }
    return exit_reason;
  }
};

namespace {

constexpr int kLineTimedOut = 0;
constexpr int kLineWorkerExited = -1;
constexpr int kLineClientGone = -2;

// Waits for one '\n'-terminated line on the response pipe, collecting log output meanwhile. Returns 1 with
// the line, kLineTimedOut, kLineWorkerExited when the worker closed its pipe, or kLineClientGone when
// `client_fd` (>= 0) hung up first.
int ReadResponseLine(ProcessRuntime::Worker& w, Steady::time_point deadline, std::string* line,
                     int client_fd = -1) {
  for (;;) {
    size_t nl = w.res_buf.find('\n');
    if (nl != std::string::npos) {
      *line = w.res_buf.substr(0, nl);
      w.res_buf.erase(0, nl + 1);
      return 1;
    }
    // The client's socket is watched for a hang-up only (POLLRDHUP), never for data: a pipelined request
    // waiting in it is no reason to stop.
    pollfd pfds[3] = {
        {w.res_fd, POLLIN, 0}, {w.log_eof ? -1 : w.log_fd, POLLIN, 0}, {client_fd, POLLRDHUP, 0}};
    int r = ::poll(pfds, 3, MillisUntil(deadline));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r == 0) {
      return kLineTimedOut;
    }
    if (pfds[2].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
      return kLineClientGone;
    }
    if ((pfds[1].revents & (POLLIN | POLLHUP)) && !ReadSome(w.log_fd, w.log_buf)) {
      w.log_eof = true;
    }
    if (pfds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!ReadSome(w.res_fd, w.res_buf)) {
        // Drain what the process wrote before it died.
        while (!w.log_eof && ReadSome(w.log_fd, w.log_buf)) {
        }
        w.log_eof = true;
        return kLineWorkerExited;
      }
    }
  }
}

// Reads log output until the sentinel for `request_id` arrives (or a short grace period passes); returns the
// log with the sentinel removed.
std::string TakeLog(ProcessRuntime::Worker& w, const std::string& request_id, Steady::time_point deadline) {
  std::string sentinel = std::string(kSentinelPrefix) + request_id + "\n";
  for (;;) {
    size_t pos = w.log_buf.find(sentinel);
    if (pos != std::string::npos) {
      std::string log = w.log_buf.substr(0, pos);
      w.log_buf.erase(0, pos + sentinel.size());
      return log;
    }
    if (w.log_eof) {
      std::string log;
      log.swap(w.log_buf);
      return log;
    }
    pollfd pfd{w.log_fd, POLLIN, 0};
    int r = ::poll(&pfd, 1, MillisUntil(deadline));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r > 0 && !ReadSome(w.log_fd, w.log_buf)) {
      w.log_eof = true;
    }
    if (r <= 0) {
      std::string log;
      log.swap(w.log_buf);
      return log;
    }
  }
}

int DupHigh(int fd) {
  int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 64);
  ::close(fd);
  return high;
}

}  // namespace

ProcessRuntime::ProcessRuntime(ProcessRuntimeOptions options) : options_(std::move(options)) {
  ::signal(SIGPIPE, SIG_IGN);  // a worker that died must not kill us when we write its pipe
}

ProcessRuntime::~ProcessRuntime() { Shutdown(); }

void ProcessRuntime::Shutdown() {
  std::map<std::string, std::vector<std::unique_ptr<Worker>>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle.swap(idle_);
  }
  idle.clear();
}

int ProcessRuntime::WorkersStarted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

std::unique_ptr<ProcessRuntime::Worker> ProcessRuntime::TakeWorker(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = idle_.find(key);
  if (it == idle_.end() || it->second.empty()) {
    return nullptr;
  }
  auto w = std::move(it->second.back());
  it->second.pop_back();
  return w;
}

void ProcessRuntime::ReturnWorker(const std::string& key, std::unique_ptr<Worker> worker) {
  std::unique_lock<std::mutex> lock(mu_);
  auto& list = idle_[key];
  if (static_cast<int>(list.size()) < options_.max_idle_per_function) {
    list.push_back(std::move(worker));
    return;
  }
  lock.unlock();
  worker.reset();  // kills the process
}

namespace {

// The invocation's log as Lambda writes it: START, the handler's output, END and REPORT.
std::string InvocationLog(const FunctionSpec& f, const InvokeInput& in, const std::string& body, double ms,
                          int mem_mb, double init_ms) {
  std::string log = "START RequestId: " + in.request_id + " Version: " + in.version + "\n" + body;
  if (!log.empty() && log.back() != '\n') {
    log += '\n';
  }
  log += "END RequestId: " + in.request_id + "\n";
  log += "REPORT RequestId: " + in.request_id + "\tDuration: " + FormatMs(ms) +
         " ms\tBilled Duration: " + std::to_string(static_cast<long>(std::ceil(ms))) +
         " ms\tMemory Size: " + std::to_string(f.memory_mb) +
         " MB\tMax Memory Used: " + std::to_string(mem_mb) + " MB\t";
  if (init_ms > 0) {
    log += "Init Duration: " + FormatMs(init_ms) + " ms\t";
  }
  log += "\n";
  return log;
}

InvokeOutput Failed(const std::string& payload, std::string log) {
  InvokeOutput out;
  out.function_error = "Unhandled";
  out.payload = payload;
  out.log = std::move(log);
  return out;
}

// The worker's environment: a few variables of ours, Lambda's, then the function's own.
std::map<std::string, std::string> WorkerEnvironment(const FunctionSpec& f, const InvokeInput& in,
                                                     const ProcessRuntimeOptions& options) {
  std::map<std::string, std::string> env;
  for (const char* keep :
       {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "NODE_PATH", "PYTHONPATH", "SYSTEMROOT"}) {
    if (const char* v = std::getenv(keep)) {
      env[keep] = v;
    }
  }
  if (!env.count("PATH")) {
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  }
  env["TZ"] = ":UTC";
  env["AWS_REGION"] = options.region;
  env["AWS_DEFAULT_REGION"] = options.region;
  env["AWS_LAMBDA_FUNCTION_NAME"] = f.name;
  env["AWS_LAMBDA_FUNCTION_VERSION"] = in.version;
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(f.memory_mb);
  env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = std::to_string(f.timeout_seconds);
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + f.name;
  env["AWS_LAMBDA_LOG_STREAM_NAME"] = "local/[" + in.version + "]lambda-mcp";
  env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + f.runtime;
  env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:0";
  env["LAMBDA_TASK_ROOT"] = f.code_dir;
  env["LAMBDA_RUNTIME_DIR"] = options.runtimes_dir;
  env["_HANDLER"] = f.handler;
  env["LMCP_REQUEST_FD"] = "3";
  env["LMCP_RESPONSE_FD"] = "4";
  if (IsPython(f)) {
    env["PYTHONDONTWRITEBYTECODE"] = "1";
  }
  for (const auto& [k, v] : f.environment) {
    env[k] = v;
  }
  return env;
}

// Spawns `args` in `dir`, in its own process group, with stdin from /dev/null, stdout and stderr to
// `child_log` and the request/response pipes as fds 3 and 4, and no other descriptor of ours: a socket the
// process holds without FD_CLOEXEC (libcurl's, when a client shares the process) must not outlive its
// closing in a worker. Returns posix_spawnp's result.
int SpawnProcess(pid_t* pid, std::vector<std::string> args, const std::map<std::string, std::string>& env,
                 const std::string& dir, int child_req, int child_res, int child_log) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) {
    env_strings.push_back(k + "=" + v);
  }
  std::vector<char*> argv, envp;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  for (auto& e : env_strings) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, child_log, 1);
  posix_spawn_file_actions_adddup2(&fa, child_log, 2);
  posix_spawn_file_actions_adddup2(&fa, child_req, 3);
  posix_spawn_file_actions_adddup2(&fa, child_res, 4);
  posix_spawn_file_actions_addclosefrom_np(&fa, 5);
  posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t def, none;
  sigemptyset(&def);
  sigaddset(&def, SIGPIPE);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &def);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  int rc = ::posix_spawnp(pid, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc;
}

// Sends the event to a started worker and waits for the result, the handler's deadline at most. The worker
// may serve again (*reusable) unless it timed out or exited.
InvokeOutput RunOnWorker(ProcessRuntime::Worker& w, const FunctionSpec& f, const InvokeInput& in,
                         const std::string& init_prefix, double init_ms, bool* reusable) {
  auto start = Steady::now();
  auto deadline = start + std::chrono::seconds(f.timeout_seconds);
  auto wall_deadline = std::chrono::system_clock::now() + std::chrono::seconds(f.timeout_seconds);
  json request = {
      {"requestId", in.request_id},
      {"event", in.payload},
      {"deadlineMs",
       std::chrono::duration_cast<std::chrono::milliseconds>(wall_deadline.time_since_epoch()).count()},
      {"invokedFunctionArn", in.invoked_arn},
      {"version", in.version},
      {"clientContext", in.client_context.empty() ? json(nullptr) : json(in.client_context)},
      {"traceId", in.trace_id.empty() ? json(nullptr) : json(in.trace_id)}};
  std::string line;
  int got = WriteAll(w.req_fd, request.dump() + "\n") ? ReadResponseLine(w, deadline, &line, in.client_fd)
                                                      : kLineWorkerExited;
  double ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
  *reusable = false;
  if (got == kLineClientGone) {
    InvokeOutput out = Failed(ErrorObject("Client.Gone", "RequestId: " + in.request_id +
                                                             " Error: the client closed the connection"),
                              init_prefix + InvocationLog(f, in, w.log_buf, ms, MaxMemoryMb(w.pid), init_ms));
    out.aborted = true;
    return out;  // destroying the worker kills the handler
  }
  if (got == kLineTimedOut) {
    std::string log;
    log.swap(w.log_buf);
    if (!log.empty() && log.back() != '\n') {
      log += '\n';
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "%d.00", f.timeout_seconds);
    log += FormatIso8601Millis(std::chrono::system_clock::now()) + " " + in.request_id +
           " Task timed out after " + secs + " seconds\n";
    InvokeOutput out =
        Failed(ErrorObject("Sandbox.Timedout", "RequestId: " + in.request_id +
                                                   " Error: Task timed out after " + secs + " seconds"),
               init_prefix + InvocationLog(f, in, log, ms, MaxMemoryMb(w.pid), init_ms));
    out.timed_out = true;
    return out;  // destroying the worker kills the handler
  }
  if (got == kLineWorkerExited) {
    std::string log;
    log.swap(w.log_buf);
    std::string reason = w.Reap();
    return Failed(ErrorObject("Runtime.ExitError",
                              "RequestId: " + in.request_id + " Error: Runtime exited with error: " + reason),
                  init_prefix + InvocationLog(f, in, log, ms, 0, init_ms));
  }
  int mem = MaxMemoryMb(w.pid);
  std::string log = TakeLog(w, in.request_id, Steady::now() + std::chrono::seconds(1));
  json response = ParseJsonOrDiscarded(line);  // the handler's output is a string inside it
  InvokeOutput out;
  if (!response.is_object()) {
    out.function_error = "Unhandled";
    out.payload =
        ErrorObject("Runtime.Unknown", "RequestId: " + in.request_id + " Error: bad runtime response");
  } else if (response.value("ok", false)) {
    out.payload = response.value("payload", "null");
  } else {
    out.function_error = "Unhandled";
    out.payload = response.contains("error") ? response["error"].dump() : ErrorObject("Runtime.Unknown", "");
  }
  out.log = init_prefix + InvocationLog(f, in, log, ms, mem, init_ms);
  *reusable = true;
  return out;
}

}  // namespace

InvokeOutput ProcessRuntime::Invoke(const FunctionSpec& f, const InvokeInput& in) {
  if (f.runtime == "echo") {
    InvokeOutput out;
    out.payload = in.payload;
    out.log = InvocationLog(f, in, "", 0.01, 1, 0);
    return out;
  }
  const std::string key = f.name + ":" + in.version;
  std::unique_ptr<Worker> w = TakeWorker(key);
  std::string init_prefix;
  double init_ms = 0;
  if (!w) {
    InvokeOutput failed;
    w = StartWorker(f, in, &init_prefix, &init_ms, &failed);
    if (!w) {
      return failed;  // the next invocation tries a fresh worker
    }
  }
  bool reusable = false;
  InvokeOutput out = RunOnWorker(*w, f, in, init_prefix, init_ms, &reusable);
  if (reusable) {
    ReturnWorker(key, std::move(w));
  }
  return out;  // a worker not returned is destroyed, which kills its process
}

std::unique_ptr<ProcessRuntime::Worker> ProcessRuntime::StartWorker(const FunctionSpec& f,
                                                                    const InvokeInput& in,
                                                                    std::string* init_prefix, double* init_ms,
                                                                    InvokeOutput* failed) {
  auto w = std::make_unique<Worker>();
  int req[2], res[2], log[2];
  if (::pipe2(req, O_CLOEXEC) != 0 || ::pipe2(res, O_CLOEXEC) != 0 || ::pipe2(log, O_CLOEXEC) != 0) {
    *failed = Failed(ErrorObject("Runtime.Unknown", std::string("pipe: ") + std::strerror(errno)),
                     InvocationLog(f, in, "", 0, 0, 0));
    return nullptr;
  }
  int child_req = DupHigh(req[0]), child_res = DupHigh(res[1]), child_log = DupHigh(log[1]);
  w->req_fd = req[1];
  w->res_fd = res[0];
  w->log_fd = log[0];

  bool python = IsPython(f);
  std::string script = options_.runtimes_dir + (python ? "/python_bootstrap.py" : "/node_bootstrap.js");
  std::vector<std::string> args = python ? std::vector<std::string>{options_.python, "-u", script}
                                         : std::vector<std::string>{options_.node, script};
  auto spawn_start = Steady::now();
  int rc = SpawnProcess(&w->pid, args, WorkerEnvironment(f, in, options_), f.code_dir, child_req, child_res,
                        child_log);
  for (int fd : {child_req, child_res, child_log}) {
    ::close(fd);
  }
  if (rc != 0) {
    w->pid = -1;
    *failed = Failed(ErrorObject("Runtime.InvalidEntrypoint", "cannot start " + args[0] + " for runtime " +
                                                                  f.runtime + ": " + std::strerror(rc)),
                     InvocationLog(f, in, "", 0, 0, 0));
    return nullptr;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++started_;
  }
  // Wait for it to load the handler.
  std::string line;
  int got = ReadResponseLine(*w, Steady::now() + options_.init_timeout, &line);
  *init_ms = std::chrono::duration<double, std::milli>(Steady::now() - spawn_start).count();
  *init_prefix = "INIT_START Runtime Version: " + f.runtime + "\n";
  json ready;
  if (got == 1) {
    ready = ParseJsonOrDiscarded(line);
  }
  if (got != 1 || !ready.is_object() || ready.value("type", "") != "ready") {
    std::string init_log = TakeLog(*w, "init", Steady::now() + std::chrono::milliseconds(200));
    std::string payload;
    if (got == 1 && ready.is_object() && ready.contains("error")) {
      payload = ready["error"].dump();
    } else if (got == 0) {
      payload = ErrorObject("Runtime.Unknown",
                            "RequestId: " + in.request_id + " Error: init phase did not finish within " +
                                std::to_string(options_.init_timeout.count()) + " seconds");
    } else {
      payload = ErrorObject("Runtime.ExitError", "RequestId: " + in.request_id +
                                                     " Error: Runtime exited with error: " + w->Reap());
    }
    *failed = Failed(payload, *init_prefix + init_log + InvocationLog(f, in, "", 0, 0, *init_ms));
    return nullptr;
  }
  *init_prefix += TakeLog(*w, "init", Steady::now() + std::chrono::milliseconds(500));
  return w;
}

std::string FindRuntimesDir() {
  namespace fs = std::filesystem;
  auto ok = [](const fs::path& dir) { return fs::is_regular_file(dir / "python_bootstrap.py"); };
  if (const char* env = std::getenv("LMCP_RUNTIMES_DIR"); env && ok(env)) {
    return env;
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& rel : {fs::path("runtimes"), fs::path("../share/lambda-mcp/runtimes"),
                                fs::path("../src/emulator/runtimes")}) {
      fs::path dir = exe.parent_path() / rel;
      if (ok(dir)) {
        return fs::weakly_canonical(dir, ec).string();
      }
    }
  }
#ifdef LMCP_SOURCE_RUNTIMES_DIR
  if (ok(LMCP_SOURCE_RUNTIMES_DIR)) {
    return LMCP_SOURCE_RUNTIMES_DIR;
  }
#endif
  return "";
}

}  // namespace lmcp::emulator

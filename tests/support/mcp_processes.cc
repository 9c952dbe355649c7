#include "tests/support/mcp_processes.h"

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace lmcp::test_support {

using namespace std::chrono_literals;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

#ifndef LMCP_DEFAULT_BIN
#define LMCP_DEFAULT_BIN ""
#define LMCP_DEFAULT_LOCAL_BIN ""
#define LMCP_DEFAULT_BUILD_DIR "/tmp"
#endif

std::string TestLogPath(const std::string& name) {
  return EnvOr("LMCP_BUILD_DIR", LMCP_DEFAULT_BUILD_DIR) + "/" + name + ".log";
}

std::string ServeBinary() { return EnvOr("LMCP_BIN", LMCP_DEFAULT_BIN); }
std::string LocalBinary() { return EnvOr("LMCP_LOCAL_BIN", LMCP_DEFAULT_LOCAL_BIN); }

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long RssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::atol(line.c_str() + 6);
    }
  }
  return 0;
}

namespace {

// Waits for "listening on <url>" in a process's stdout line or log file; the URL, or "".
std::string UrlAfterMarker(const std::string& text) {
  const std::string marker = "listening on ";
  auto at = text.find(marker);
  if (at == std::string::npos) {
    return "";
  }
  auto start = at + marker.size();
  auto end = text.find_first_of(" \r\n", start);
  if (end == std::string::npos) {
    return "";
  }
  return text.substr(start, end - start);
}

void StopChild(Child& child, int signal) {
  if (child.pid() > 0 && child.alive()) {
    kill(child.pid(), signal);
    child.Wait(10s);
  }
}

}  // namespace

// --- LocalEndpoint ---

bool LocalEndpoint::Start(const std::string& log_name, const std::vector<std::string>& extra, int functions,
                          const std::string& prefix) {
  std::string bin = LocalBinary();
  if (bin.empty()) {
    ADD_FAILURE() << "no lambda-mcp local binary (set LMCP_LOCAL_BIN)";
    return false;
  }
  prefix_ = prefix;
  std::vector<std::string> argv = {bin,
                                   "--port",
                                   "0",
                                   "--synthetic-functions",
                                   std::to_string(functions),
                                   "--synthetic-prefix",
                                   prefix,
                                   "--access-key-id",
                                   kAccessKey,
                                   "--secret-access-key",
                                   kSecretKey,
                                   "--log-level",
                                   "warn"};
  if (echo) {
    argv.push_back("--echo");
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (!child_.Spawn(argv, {}, TestLogPath(log_name))) {
    ADD_FAILURE() << "cannot spawn " << bin;
    return false;
  }
  auto line = child_.ReadLine(30s);
  url_ = line ? UrlAfterMarker(*line + "\n") : "";
  if (url_.empty()) {
    ADD_FAILURE() << "local endpoint did not start: " << (line ? *line : "no output") << " (log "
                  << TestLogPath(log_name) << ")";
    return false;
  }
  return true;
}

LocalEndpoint::~LocalEndpoint() { StopChild(child_, SIGTERM); }

bool LocalEndpoint::SetFaults(const Json& rules) {
  auto [status, body] = bench::HttpOnce("PUT", url_ + "/__admin/faults", rules.dump());
  EXPECT_EQ(status, 200) << body;
  return status == 200;
}

void LocalEndpoint::ClearFaults() { bench::HttpOnce("DELETE", url_ + "/__admin/faults"); }

void LocalEndpoint::ResetStats() { bench::HttpOnce("DELETE", url_ + "/__admin/stats"); }

int LocalEndpoint::Invocations(const std::string& function) {
  Json j = Json::parse(bench::HttpOnce("GET", url_ + "/__admin/stats").second, nullptr, false);
  if (j.is_discarded() || !j.contains("functions") || !j["functions"].contains(function)) {
    return 0;
  }
  return j["functions"][function].value("invocations", 0);
}

int LocalEndpoint::Operations(const std::string& operation) {
  Json j = Json::parse(bench::HttpOnce("GET", url_ + "/__admin/stats").second, nullptr, false);
  if (j.is_discarded() || !j.contains("operations")) {
    return 0;
  }
  return j["operations"].value(operation, 0);
}

std::map<std::string, std::string> ServeEnv(const LocalEndpoint& endpoint) {
  return {{"AWS_ENDPOINT_URL", endpoint.url()},
          {"AWS_ACCESS_KEY_ID", LocalEndpoint::kAccessKey},
          {"AWS_SECRET_ACCESS_KEY", LocalEndpoint::kSecretKey},
          {"AWS_SESSION_TOKEN", ""},
          {"AWS_PROFILE", ""},
          {"AWS_REGION", "us-east-1"},
          {"AWS_CONFIG_FILE", "/dev/null"},
          {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
          {"FUNCTION_PREFIX", endpoint.prefix()},
          {"LAMBDA_MCP_AUDIT_LOG", "off"},
          {"XDG_STATE_HOME", TestLogPath("state").substr(0, TestLogPath("state").size() - 4)},  // audit key
          {"LAMBDA_MCP_AUTH_TOKEN", ""}};
}

// --- StdioServer ---

bool StdioServer::Start(const LocalEndpoint& endpoint, const std::string& log_name,
                        const std::map<std::string, std::string>& extra_env,
                        const std::vector<std::string>& extra_args) {
  std::string bin = ServeBinary();
  if (bin.empty()) {
    ADD_FAILURE() << "no lambda-mcp binary (set LMCP_BIN)";
    return false;
  }
  auto env = ServeEnv(endpoint);
  for (const auto& [k, v] : extra_env) {
    env[k] = v;
  }
  std::vector<std::string> argv = {bin, "serve"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  log_path_ = TestLogPath(log_name);
  if (!child_.Spawn(argv, env, log_path_)) {
    ADD_FAILURE() << "cannot spawn " << bin;
    return false;
  }
  client_ = std::make_unique<McpClient>(child_);
  if (!protocol_version.empty() && !client_->Initialize(protocol_version)) {
    ADD_FAILURE() << "initialize over stdio failed (log " << log_path_ << ")";
    return false;
  }
  return true;
}

StdioServer::~StdioServer() {
  if (child_.pid() > 0 && child_.alive()) {
    child_.CloseStdin();
    child_.Wait(15s);
  }
}

std::string StdioServer::FindTool() {
  auto tools = client_->ListAllTools();
  if (!tools || tools->empty()) {
    return "";
  }
  for (const Json& t : *tools) {
    std::string name = t.value("name", "");
    if (name.find("0001") != std::string::npos) {
      return name;
    }
  }
  return (*tools)[0].value("name", "");
}

std::optional<Json> StdioServer::CallTool(const std::string& tool, const Json& arguments,
                                          std::chrono::milliseconds timeout) {
  return client_->Call("tools/call", {{"name", tool}, {"arguments", arguments}}, timeout);
}

// --- HttpServerProcess ---

bool HttpServerProcess::Start(const LocalEndpoint& endpoint, const std::string& log_name,
                              const std::map<std::string, std::string>& extra_env,
                              const std::vector<std::string>& extra_args) {
  auto env = ServeEnv(endpoint);
  for (const auto& [k, v] : extra_env) {
    env[k] = v;
  }
  std::vector<std::string> args = {"--http", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  if (!StartRaw(args, env, log_name)) {
    ADD_FAILURE() << "serve --http did not start (log " << log_path_ << "):\n" << log();
    return false;
  }
  return true;
}

bool HttpServerProcess::StartRaw(const std::vector<std::string>& serve_args,
                                 const std::map<std::string, std::string>& env, const std::string& log_name,
                                 std::chrono::milliseconds timeout) {
  std::string bin = ServeBinary();
  if (bin.empty()) {
    ADD_FAILURE() << "no lambda-mcp binary (set LMCP_BIN)";
    return false;
  }
  std::vector<std::string> argv = {bin, "serve"};
  argv.insert(argv.end(), serve_args.begin(), serve_args.end());
  log_path_ = TestLogPath(log_name);
  std::remove(log_path_.c_str());
  if (!child_.Spawn(argv, env, log_path_)) {
    return false;
  }
  auto deadline = bench::Now() + timeout;
  while (bench::Now() < deadline) {
    url_ = UrlAfterMarker(log());
    if (!url_.empty()) {
      auto colon = url_.rfind(':');
      port_ = std::atoi(url_.c_str() + colon + 1);
      return true;
    }
    if (!child_.alive()) {
      return false;
    }
    std::this_thread::sleep_for(10ms);  // polling a log file for a line; bounded by `timeout`
  }
  return false;
}

HttpServerProcess::~HttpServerProcess() { StopChild(child_, SIGTERM); }

// --- HTTP ---

std::vector<Json> HttpReply::Messages() const {
  std::vector<Json> out;
  auto add = [&out](const std::string& text) {
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded()) {
      return;
    }
    if (j.is_array()) {
      for (auto& m : j) {
        out.push_back(std::move(m));
      }
    } else {
      out.push_back(std::move(j));
    }
  };
  auto type = headers.find("content-type");
  if (type != headers.end() && type->second.find("text/event-stream") != std::string::npos) {
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("data:", 0) == 0) {
        add(line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5));
      }
    }
  } else {
    add(body);
  }
  return out;
}

HttpReply HttpExchange(const std::string& method, const std::string& url,
                       const std::map<std::string, std::string>& headers, const std::string& body,
                       std::chrono::milliseconds timeout) {
  HttpReply reply;
  auto scheme_end = url.find("://");
  auto slash = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  httplib::Client client(url.substr(0, slash));
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  httplib::Request req;
  req.method = method;
  req.path = slash == std::string::npos ? "/" : url.substr(slash);
  for (const auto& [name, value] : headers) {
    req.set_header(name, value);
  }
  if (method == "POST" || method == "PUT" || !body.empty()) {
    req.body = body;
  }
  auto res = client.send(req);
  if (!res) {
    return reply;
  }
  reply.status = res->status;
  for (const auto& [name, value] : res->headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    reply.headers[lower] = value;
  }
  reply.body = res->body;
  return reply;
}

std::map<std::string, std::string> McpHttpClient::PostHeaders() const {
  std::map<std::string, std::string> h = {{"Accept", "application/json, text/event-stream"},
                                          {"Content-Type", "application/json"}};
  if (!session_id_.empty()) {
    h["Mcp-Session-Id"] = session_id_;
  }
  if (!protocol_version_.empty()) {
    h["MCP-Protocol-Version"] = protocol_version_;
  }
  if (!token_.empty()) {
    h["Authorization"] = "Bearer " + token_;
  }
  return h;
}

std::optional<Json> McpHttpClient::Initialize(const std::string& protocol_version) {
  HttpReply reply;
  auto r = Request("initialize",
                   {{"protocolVersion", protocol_version},
                    {"capabilities", Json::object()},
                    {"clientInfo", {{"name", "black-box-test"}, {"version", "1"}}}},
                   30s, &reply);
  if (!r || !r->contains("result")) {
    return r;
  }
  session_id_ = reply.headers["mcp-session-id"];
  protocol_version_ = (*r)["result"].value("protocolVersion", protocol_version);
  Json note = {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
  HttpExchange("POST", url_, PostHeaders(), note.dump());
  return r;
}

std::optional<Json> McpHttpClient::Request(const std::string& method, const Json& params,
                                           std::chrono::milliseconds timeout, HttpReply* reply) {
  Json id = next_id_++;
  Json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  HttpReply r = HttpExchange("POST", url_, PostHeaders(), message.dump(), timeout);
  std::optional<Json> out;
  for (auto& m : r.Messages()) {
    if (m.is_object() && m.contains("id") && m["id"] == id && (m.contains("result") || m.contains("error"))) {
      out = std::move(m);
    }
  }
  if (reply) {
    *reply = std::move(r);
  }
  return out;
}

::testing::AssertionResult NormalHttpCallWorks(const std::string& url, const std::string& token) {
  McpHttpClient client(url, token);
  auto init = client.Initialize();
  if (!init || !init->contains("result")) {
    return ::testing::AssertionFailure() << "initialize failed: " << (init ? init->dump() : "no answer");
  }
  auto list = client.Request("tools/list", Json::object());
  if (!list || !list->contains("result") || (*list)["result"]["tools"].empty()) {
    return ::testing::AssertionFailure() << "tools/list failed: " << (list ? list->dump() : "no answer");
  }
  std::string tool = (*list)["result"]["tools"][0].value("name", "");
  auto call = client.Request("tools/call", {{"name", tool}, {"arguments", {{"normal", true}}}});
  if (!call || !call->contains("result") || (*call)["result"].value("isError", false)) {
    return ::testing::AssertionFailure() << "tools/call failed: " << (call ? call->dump() : "no answer");
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult NormalStdioCallWorks(StdioServer& server) {
  std::string tool = server.FindTool();
  if (tool.empty()) {
    return ::testing::AssertionFailure() << "no tools listed";
  }
  auto call = server.CallTool(tool, {{"normal", true}});
  if (!call || !call->contains("result") || (*call)["result"].value("isError", false)) {
    return ::testing::AssertionFailure() << "tools/call failed: " << (call ? call->dump() : "no answer");
  }
  return ::testing::AssertionSuccess();
}

}  // namespace lmcp::test_support

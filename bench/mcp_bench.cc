// mcp_bench: the end-to-end benchmark driver behind `make bench`. Spawns lambda-mcp (and the local Lambda
// endpoint, and moto_server) as child processes, speaks MCP over stdio pipes in-process (no Node), and
// measures each figure in the same run as its baseline: startup, sequential tools/call against the bare-HTTP
// and signed-Invoke floors, concurrent calls against a 100 ms function, peak RSS. Prints a table and writes
// JSON.
//
// Usage: mcp_bench --lambda-mcp BIN --local BIN [--runs 5] [--calls 1000] [--json FILE] [--micro
// FILE.json]...
//                  [--moto] [--only SCENARIO,...]

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aws/asio_http_client.h"
#include "aws/sigv4.h"
#include "bench/bench_process.h"
#include "common/base64.h"
#include "tests/support/loopback.h"

namespace lmcp::bench {
namespace {

constexpr const char* kAccessKey = "AKIDLOCAL";
constexpr const char* kSecretKey = "lambda-mcp-local-secret";
constexpr const char* kRegion = "us-east-1";

struct Options {
  std::string lambda_mcp;
  std::string local;
  int runs = 5;
  int calls = 1000;
  std::string json_out;
  std::vector<std::string> micro;
  bool moto = false;
  std::set<std::string> only;
  std::string log = "/dev/null";
  std::string http_bench;
  std::string scale_bench;
};

Options g_opts;

bool Enabled(const std::string& scenario) { return g_opts.only.empty() || g_opts.only.count(scenario) > 0; }

// ---- Result table
// ------------------------------------------------------------------------------------------

struct Row {
  std::string metric;
  std::string value;
  std::string baseline;
  std::string ratio;
  std::string target;
  std::string verdict;  // "ok", "MISS (...)", "n/a (...)"
};

std::vector<Row> g_rows;
Json g_json = Json::object();

std::string Fmt(double v, int digits = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void AddRow(Row row) { g_rows.push_back(std::move(row)); }

void NotAvailable(const std::string& metric, const std::string& why) {
  AddRow({metric, "-", "-", "-", "-", "n/a (" + why + ")"});
  g_json["unavailable"][metric] = why;
}

std::string Verdict(bool ok, const std::string& miss) { return ok ? "ok" : "MISS (" + miss + ")"; }

// ---- Local endpoint
// ----------------------------------------------------------------------------------------

class LocalEndpointProcess {
 public:
  bool Start(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {g_opts.local, "--port", "0", "--echo", "--log-level", "warn"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (!child_.Spawn(argv, {}, g_opts.log)) {
      return false;
    }
    auto line = child_.ReadLine(std::chrono::seconds(30));
    const std::string marker = "listening on ";
    if (!line || line->find(marker) == std::string::npos) {
      std::fprintf(stderr, "local endpoint did not start (%s)\n", line ? line->c_str() : "no output");
      return false;
    }
    url_ = line->substr(line->find(marker) + marker.size());
    return true;
  }
  ~LocalEndpointProcess() {
    if (child_.pid() > 0) {
      kill(child_.pid(), SIGTERM);
      child_.Wait(std::chrono::seconds(5));
    }
  }
  const std::string& url() const { return url_; }
  long PeakRssKb() const { return child_.PeakRssKb(); }

 private:
  Child child_;
  std::string url_;
};

// ---- moto_server
// -------------------------------------------------------------------------------------------

class MotoProcess {
 public:
  bool Start() {
    int port = test_support::FreeLoopbackPort();
    url_ = "http://127.0.0.1:" + std::to_string(port);
    if (!child_.Spawn({"/usr/bin/env", "moto_server", "-H", "127.0.0.1", "-p", std::to_string(port)}, {},
                      g_opts.log)) {
      return false;
    }
    for (int i = 0; i < 200; ++i) {
      if (Post("/moto-api/reset", "").first == 200) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (i == 199) {
        return false;
      }
    }
    long status = Post("/moto-api/config", R"({"lambda":{"use_docker":false}})").first;
    return status >= 200 && status < 300;  // moto 5 answers 201
  }
  ~MotoProcess() {
    if (child_.pid() > 0) {
      kill(child_.pid(), SIGTERM);
      child_.Wait(std::chrono::seconds(5));
    }
  }
  std::pair<long, std::string> Post(const std::string& path, const std::string& body);
  const std::string& url() const { return url_; }

 private:
  Child child_;
  std::string url_;
};

std::pair<long, std::string> MotoProcess::Post(const std::string& path, const std::string& body) {
  return HttpOnce("POST", url_ + path, body, std::chrono::milliseconds(2000));
}

// ---- Floors: bare HTTP and signed Invoke
// -------------------------------------------------------------------

std::string EventPayload(int i) {
  std::string p;
  for (int k = 0; k < 10; ++k) {
    p += "abcdefghij";
  }
  return Json{{"i", i}, {"customerId", "12345"}, {"payload", p}}.dump();
}

aws::HttpRequest InvokeRequest(const std::string& endpoint, const std::string& function,
                               const std::string& body) {
  aws::HttpRequest req;
  req.method = "POST";
  req.url = endpoint + "/2015-03-31/functions/" + function + "/invocations";
  req.headers = {{"X-Amz-Invocation-Type", "RequestResponse"}, {"Content-Type", "application/json"}};
  req.body = body;
  return req;
}

aws::SigningParams Signing() {
  aws::SigningParams p;
  p.region = kRegion;
  p.service = "lambda";
  p.time = std::chrono::system_clock::now();
  return p;
}

const aws::Credentials& Creds() {
  static const aws::Credentials c{kAccessKey, kSecretKey, "", std::nullopt};
  return c;
}

// A bare HTTP POST: the request is signed once up front and its bytes replayed over one reused cpp-httplib
// connection (keep-alive where the server allows it): the transport floor with no per-call signing or
// parsing.
class BareHttpFloor {
 public:
  BareHttpFloor(const std::string& endpoint, const std::string& function) {
    aws::HttpRequest req = InvokeRequest(endpoint, function, EventPayload(0));
    (void)aws::Sign(req, Creds(), Signing());
    auto slash = req.url.find('/', req.url.find("://") + 3);
    client_ = std::make_unique<httplib::Client>(req.url.substr(0, slash));
    client_->set_keep_alive(true);
    request_.method = "POST";
    request_.path = slash == std::string::npos ? "/" : req.url.substr(slash);
    request_.body = req.body;
    for (const auto& [k, v] : req.headers) {
      request_.set_header(k, v);
    }
  }
  bool Once() {
    auto res = client_->send(request_);
    return res && res->status == 200;
  }

 private:
  std::unique_ptr<httplib::Client> client_;
  httplib::Request request_;
};

// A signed Invoke through the AWS layer (Sign + AsioHttpClient), parsing the JSON payload like a caller
// would.
class SignedInvokeFloor {
 public:
  SignedInvokeFloor(std::string endpoint, std::string function)
      : endpoint_(std::move(endpoint)), function_(std::move(function)) {}
  bool Once(int i) {
    aws::HttpRequest req = InvokeRequest(endpoint_, function_, EventPayload(i));
    if (!aws::Sign(req, Creds(), Signing()).ok()) {
      return false;
    }
    auto r = client_.Send(req);
    if (!r.ok() || r->status != 200) {
      return false;
    }
    Json payload = Json::parse(r->body, nullptr, false);
    return !payload.is_discarded();
  }

 private:
  std::string endpoint_, function_;
  aws::AsioHttpClient client_;
};

// ---- lambda-mcp process
// ------------------------------------------------------------------------------------

std::map<std::string, std::string> ServerEnv(const std::string& endpoint, const std::string& prefix) {
  return {{"AWS_ENDPOINT_URL", endpoint},
          {"AWS_ACCESS_KEY_ID", kAccessKey},
          {"AWS_SECRET_ACCESS_KEY", kSecretKey},
          {"AWS_REGION", kRegion},
          {"AWS_CONFIG_FILE", "/dev/null"},
          {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
          {"FUNCTION_PREFIX", prefix}};  // everything else at its default (the audit log on, to stderr)
}

struct Server {
  Child child;
  std::unique_ptr<McpClient> client;
  double init_ms = 0;
  double list_ms = 0;
  size_t tools = 0;
  std::string first_tool;
  bool ok = false;
};

// Spawns lambda-mcp serve, times spawn → initialize answered and spawn → all tools/list pages done.
std::unique_ptr<Server> StartServer(const std::vector<std::string>& args,
                                    const std::map<std::string, std::string>& env) {
  auto s = std::make_unique<Server>();
  std::vector<std::string> argv = {g_opts.lambda_mcp, "serve"};
  argv.insert(argv.end(), args.begin(), args.end());
  SteadyTime t0 = Now();
  if (!s->child.Spawn(argv, env, g_opts.log)) {
    return s;
  }
  s->client = std::make_unique<McpClient>(s->child);
  if (!s->client->Initialize()) {
    return s;
  }
  s->init_ms = MsSince(t0);
  auto tools = s->client->ListAllTools();
  s->list_ms = MsSince(t0);
  if (!tools) {
    return s;
  }
  s->tools = tools->size();
  if (!tools->empty()) {
    s->first_tool = (*tools)[0]["name"].get<std::string>();
  }
  s->ok = true;
  return s;
}

void StopServer(Server& s) {
  s.child.CloseStdin();
  s.child.Wait(std::chrono::seconds(10));
}

// ---- Scenarios
// ---------------------------------------------------------------------------------------------

struct StartupStats {
  double init_ms = 0, list_ms = 0;
  long rss_kb = 0;
  size_t tools = 0;
  bool ok = false;
};

StartupStats MeasureStartup(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env, const std::string& name,
                            size_t expect_tools) {
  std::vector<double> init, list, rss;
  size_t tools = 0;
  for (int r = 0; r < g_opts.runs; ++r) {
    auto s = StartServer(args, env);
    if (!s->ok || (expect_tools > 0 && s->tools != expect_tools)) {
      std::fprintf(stderr, "%s: run %d failed (ok=%d, %zu tools, expected %zu)\n", name.c_str(), r, s->ok,
                   s->tools, expect_tools);
      return {};
    }
    // Peak RSS after startup and one round of pings (the steady state for an idle client).
    for (int i = 0; i < 20; ++i) {
      s->client->Call("ping", Json::object());
    }
    init.push_back(s->init_ms);
    list.push_back(s->list_ms);
    rss.push_back(static_cast<double>(s->child.PeakRssKb()));
    tools = s->tools;
    StopServer(*s);
  }
  g_json["startup"][name] = {{"init_ms", init}, {"list_ms", list}, {"peak_rss_kb", rss}, {"tools", tools}};
  return {Median(init), Median(list), static_cast<long>(Median(rss)), tools, true};
}

void StartupScenarios() {
  if (!Enabled("startup")) {
    return;
  }
  StartupStats f = MeasureStartup({"--conformance-fixtures"}, {}, "fixtures", 0);
  if (f.ok) {
    AddRow({"spawn->initialize (fixtures, " + std::to_string(f.tools) + " tools)", Fmt(f.init_ms) + " ms",
            "820 ms (ref)", Fmt(f.init_ms / 820.0, 4), "<= 10 ms",
            Verdict(f.init_ms <= 10, "+" + Fmt(f.init_ms - 10) + " ms")});
    AddRow({"spawn->tools/list done (fixtures)", Fmt(f.list_ms) + " ms", "832 ms (ref)",
            Fmt(f.list_ms / 832.0, 4), "-", "ok"});
    AddRow({"peak RSS (fixtures)", std::to_string(f.rss_kb) + " kB", "80500 kB (ref)",
            Fmt(static_cast<double>(f.rss_kb) / 80500.0, 3), "<= 8000 kB",
            Verdict(f.rss_kb <= 8000, "+" + std::to_string(f.rss_kb - 8000) + " kB")});
  }
  for (int n : {2, 100, 1000}) {
    LocalEndpointProcess ep;
    if (!ep.Start({"--synthetic-functions", std::to_string(n), "--synthetic-prefix", "bench-"})) {
      NotAvailable("startup with " + std::to_string(n) + " functions", "local endpoint failed to start");
      return;
    }
    auto probe = StartServer({}, ServerEnv(ep.url(), "bench-"));
    bool wired = probe->ok && probe->tools == static_cast<size_t>(n);
    std::string why = probe->ok ? "serve lists " + std::to_string(probe->tools) + " tools, catalog not wired"
                                : "serve failed against the local endpoint";
    StopServer(*probe);
    if (!wired) {
      NotAvailable("spawn->initialize/tools/list, " + std::to_string(n) + " functions", why);
      continue;
    }
    StartupStats s = MeasureStartup({}, ServerEnv(ep.url(), "bench-"), "lambda_" + std::to_string(n),
                                    static_cast<size_t>(n));
    if (!s.ok) {
      NotAvailable("startup, " + std::to_string(n) + " functions", "a run failed");
      continue;
    }
    std::string label = std::to_string(n) + " fn";
    AddRow({"spawn->initialize (" + label + ")", Fmt(s.init_ms) + " ms", "-", "-", "<= 10 ms",
            Verdict(s.init_ms <= 10, "+" + Fmt(s.init_ms - 10) + " ms")});
    AddRow({"spawn->tools/list done (" + label + ")", Fmt(s.list_ms) + " ms", "-", "-", "-", "ok"});
    long rss_target = n <= 2 ? 8000 : (n >= 1000 ? 20000 : 0);
    AddRow({"peak RSS (" + label + ")", std::to_string(s.rss_kb) + " kB", "-", "-",
            rss_target ? "<= " + std::to_string(rss_target) + " kB" : "-",
            rss_target ? Verdict(s.rss_kb <= rss_target, "+" + std::to_string(s.rss_kb - rss_target) + " kB")
                       : "ok"});
  }
}

struct Latencies {
  double p50 = 0, p99 = 0, max = 0;
};
Latencies Summ(const std::vector<double>& v) {
  return {Percentile(v, 50), Percentile(v, 99), Percentile(v, 100)};
}

bool IsErrorResult(const std::optional<Json>& r) {
  return !r || !r->contains("result") || (*r)["result"].value("isError", false);
}

// Sequential tools/call next to its floors, interleaved run by run, against one backend.
void SequentialCalls(const std::string& backend_name, const std::string& endpoint,
                     const std::string& function, const std::string& prefix) {
  auto server = StartServer({}, ServerEnv(endpoint, prefix));
  if (!server->ok || server->tools == 0) {
    NotAvailable("tools/call latency (" + backend_name + ")",
                 server->ok ? "serve lists no tools, catalog not wired" : "serve failed to start");
    // The floors are still useful on their own.
  }
  BareHttpFloor bare(endpoint, function);
  SignedInvokeFloor sig(endpoint, function);
  std::vector<double> call50, call99, callmax, bare50, bare99, baremax, sig50, sig99, sigmax, ping50;
  int calls = g_opts.calls;
  for (int r = 0; r < g_opts.runs; ++r) {
    std::vector<double> b, s, c, p;
    for (int i = 0; i < calls; ++i) {
      SteadyTime t = Now();
      if (!bare.Once()) {
        NotAvailable("bare HTTP floor (" + backend_name + ")", "POST failed");
        return;
      }
      b.push_back(MsSince(t));
    }
    for (int i = 0; i < calls; ++i) {
      SteadyTime t = Now();
      if (!sig.Once(i)) {
        NotAvailable("signed Invoke floor (" + backend_name + ")", "Invoke failed");
        return;
      }
      s.push_back(MsSince(t));
    }
    if (server->ok && server->tools > 0) {
      std::string payload;
      for (int k = 0; k < 10; ++k) {
        payload += "abcdefghij";
      }
      for (int i = 0; i < calls; ++i) {
        Json args = {{"i", i}, {"customerId", "12345"}, {"payload", payload}};
        SteadyTime t = Now();
        auto resp = server->client->Call("tools/call", {{"name", server->first_tool}, {"arguments", args}});
        double ms = MsSince(t);
        if (IsErrorResult(resp)) {
          std::fprintf(stderr, "tools/call failed: %s\n", resp ? resp->dump().c_str() : "timeout");
          NotAvailable("tools/call latency (" + backend_name + ")", "a call failed");
          server->ok = false;
          break;
        }
        c.push_back(ms);
      }
      for (int i = 0; i < 200; ++i) {
        SteadyTime t = Now();
        server->client->Call("ping", Json::object());
        p.push_back(MsSince(t));
      }
    }
    Latencies lb = Summ(b), ls = Summ(s);
    bare50.push_back(lb.p50), bare99.push_back(lb.p99), baremax.push_back(lb.max);
    sig50.push_back(ls.p50), sig99.push_back(ls.p99), sigmax.push_back(ls.max);
    if (!c.empty()) {
      Latencies lc = Summ(c);
      call50.push_back(lc.p50), call99.push_back(lc.p99), callmax.push_back(lc.max);
      ping50.push_back(Percentile(p, 50));
    }
  }
  double b50 = Median(bare50), s50 = Median(sig50);
  g_json["calls"][backend_name] = {{"bare_p50", bare50},  {"bare_p99", bare99},    {"bare_max", baremax},
                                   {"signed_p50", sig50}, {"signed_p99", sig99},   {"signed_max", sigmax},
                                   {"call_p50", call50},  {"call_p99", call99},    {"call_max", callmax},
                                   {"ping_p50", ping50},  {"calls_per_run", calls}};
  AddRow({"bare HTTP POST p50/p99/max (" + backend_name + ")",
          Fmt(b50, 3) + "/" + Fmt(Median(bare99), 3) + "/" + Fmt(Median(baremax), 3) + " ms", "floor", "1",
          "-", "ok"});
  AddRow({"signed Invoke p50/p99/max (" + backend_name + ")",
          Fmt(s50, 3) + "/" + Fmt(Median(sig99), 3) + "/" + Fmt(Median(sigmax), 3) + " ms",
          Fmt(b50, 3) + " ms (bare)", Fmt(s50 / b50), "-", "ok"});
  if (!call50.empty()) {
    double c50 = Median(call50), c99 = Median(call99), cmax = Median(callmax);
    double overhead = c50 - b50;
    AddRow({"tools/call p50 (" + backend_name + ", " + std::to_string(calls) + " seq)", Fmt(c50, 3) + " ms",
            Fmt(b50, 3) + " ms (bare)", Fmt(c50 / b50), "overhead <= 0.150 ms",
            Verdict(overhead <= 0.15, "overhead " + Fmt(overhead, 3) + " ms")});
    AddRow({"tools/call overhead over signed Invoke p50", Fmt(c50 - s50, 3) + " ms",
            Fmt(s50, 3) + " ms (signed)", Fmt(c50 / s50), "-", "ok"});
    AddRow({"tools/call p99 / max", Fmt(c99, 3) + " / " + Fmt(cmax, 3) + " ms",
            Fmt(Median(bare99), 3) + " ms (bare p99)", "p99/p50 " + Fmt(c99 / c50), "p99 <= 1.2 x p50",
            Verdict(c99 <= 1.2 * c50, Fmt(c99 / c50) + "x")});
    AddRow(
        {"ping p50 (pure MCP round trip)", Fmt(Median(ping50), 3) + " ms", "0.91 ms (ref)", "-", "-", "ok"});
    AddRow({"peak RSS after calls (" + backend_name + ")", std::to_string(server->child.PeakRssKb()) + " kB",
            "-", "-", "<= 8000 kB",
            Verdict(server->child.PeakRssKb() <= 8000,
                    "+" + std::to_string(server->child.PeakRssKb() - 8000) + " kB")});
  }
  if (server->child.pid() > 0) {
    StopServer(*server);
  }
}

void CallScenarios() {
  if (!Enabled("calls")) {
    return;
  }
  LocalEndpointProcess ep;
  if (!ep.Start({"--synthetic-functions", "2", "--synthetic-prefix", "bench-"})) {
    NotAvailable("tools/call latency (local)", "local endpoint failed to start");
    return;
  }
  SequentialCalls("local zero-work", ep.url(), "bench-0001", "bench-");
}

void MotoScenarios() {
  if (!Enabled("moto") || !g_opts.moto) {
    return;
  }
  MotoProcess moto;
  if (!moto.Start()) {
    NotAvailable("moto_server backend", "moto_server did not start");
    return;
  }
  // Functions in moto's docker-less mode: create them through its Lambda API (signed like any client).
  aws::AsioHttpClient client;
  auto create = [&](const std::string& name) {
    aws::HttpRequest iam;
    iam.method = "POST";
    iam.url = moto.url() + "/";
    iam.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    iam.body = "Action=CreateRole&Version=2010-05-08&RoleName=bench&AssumeRolePolicyDocument=%7B%7D";
    aws::SigningParams ip = Signing();
    ip.service = "iam";
    (void)aws::Sign(iam, Creds(), ip);
    (void)client.Send(iam);
    // A minimal zip (empty archive) is enough in simple mode.
    static const unsigned char kEmptyZip[] = {0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0,
                                              0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0};
    std::string zip(reinterpret_cast<const char*>(kEmptyZip), sizeof kEmptyZip);
    std::string b64 = Base64Encode(zip);
    aws::HttpRequest req;
    req.method = "POST";
    req.url = moto.url() + "/2015-03-31/functions";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = Json{{"FunctionName", name},       {"Runtime", "python3.12"},
                    {"Handler", "app.handler"},   {"Role", "arn:aws:iam::123456789012:role/bench"},
                    {"Code", {{"ZipFile", b64}}}, {"Description", "bench echo"}}
                   .dump();
    (void)aws::Sign(req, Creds(), Signing());
    auto r = client.Send(req);
    return r.ok() && r->status < 300;
  };
  if (!create("mcp-echo") || !create("mcp-customer-info")) {
    NotAvailable("moto_server backend", "CreateFunction failed");
    return;
  }
  SequentialCalls("moto_server", moto.url(), "mcp-echo", "mcp-");
}

void ConcurrencyScenarios() {
  if (!Enabled("concurrency")) {
    return;
  }
  LocalEndpointProcess ep;
  if (!ep.Start(
          {"--synthetic-functions", "2", "--synthetic-prefix", "bench-", "--fault", "Invoke:latency=100"})) {
    NotAvailable("concurrent calls", "local endpoint failed to start");
    return;
  }
  auto server = StartServer({}, ServerEnv(ep.url(), "bench-"));
  if (!server->ok || server->tools == 0) {
    NotAvailable("20/100 concurrent 100 ms calls",
                 server->ok ? "serve lists no tools, catalog not wired" : "serve failed to start");
    return;
  }
  auto one = server->client->Call("tools/call", {{"name", server->first_tool}, {"arguments", {{"w", 1}}}});
  if (IsErrorResult(one)) {
    NotAvailable("20/100 concurrent 100 ms calls", "warm-up call failed");
    return;
  }
  for (int n : {20, 100}) {
    std::vector<double> totals;
    int errors = 0;
    for (int r = 0; r < g_opts.runs; ++r) {
      std::vector<Json> ids;
      SteadyTime t = Now();
      for (int i = 0; i < n; ++i) {
        ids.push_back(server->client->SendRequest("tools/call",
                                                  {{"name", server->first_tool}, {"arguments", {{"i", i}}}}));
      }
      for (const Json& id : ids) {
        auto resp = server->client->WaitResponse(id, std::chrono::seconds(60));
        if (IsErrorResult(resp)) {
          ++errors;
        }
      }
      totals.push_back(MsSince(t));
    }
    double total = Median(totals);
    g_json["concurrency"][std::to_string(n)] = {{"total_ms", totals}, {"errors", errors}};
    std::string target = n == 20 ? "<= 130 ms" : "-";
    std::string verdict = errors    ? "MISS (" + std::to_string(errors) + " errors)"
                          : n == 20 ? Verdict(total <= 130, "+" + Fmt(total - 130, 1) + " ms")
                                    : "ok";
    AddRow({std::to_string(n) + " concurrent calls to a 100 ms function", Fmt(total, 1) + " ms",
            "100 ms (floor)", Fmt(total / 100.0), target, verdict});
  }
  AddRow({"peak RSS (concurrency)", std::to_string(server->child.PeakRssKb()) + " kB", "-", "-", "-", "ok"});
  StopServer(*server);
}

void HttpScenario() {
  if (!Enabled("http")) {
    return;
  }
  if (g_opts.http_bench.empty() || access(g_opts.http_bench.c_str(), X_OK) != 0) {
    NotAvailable("HTTP throughput, 64 clients", "http_bench not built (no HTTP transport)");
    return;
  }
  std::vector<double> mcp, bare;
  long errors = 0;
  for (int r = 0; r < std::max(1, g_opts.runs / 2); ++r) {
    Child c;
    if (!c.Spawn({g_opts.http_bench, "64", "5"}, {}, g_opts.log)) {
      return;
    }
    auto line = c.ReadLine(std::chrono::seconds(120));
    c.Wait(std::chrono::seconds(30));
    Json j = line ? Json::parse(*line, nullptr, false) : Json();
    if (j.is_discarded() || !j.is_object()) {
      NotAvailable("HTTP throughput, 64 clients", "http_bench failed");
      return;
    }
    mcp.push_back(j.value("mcp_calls_per_s", 0.0));
    bare.push_back(j.value("bare_calls_per_s", 0.0));
    errors += j.value("errors", 0L);
  }
  double m = Median(mcp), b = Median(bare);
  g_json["http"] = {
      {"mcp_calls_per_s", mcp}, {"bare_calls_per_s", bare}, {"errors", errors}, {"clients", 64}};
  AddRow({"HTTP tools/call throughput, 64 clients", Fmt(m, 0) + " calls/s", Fmt(b, 0) + " /s (bare httplib)",
          Fmt(m / b), ">= 5000 calls/s",
          errors ? "MISS (" + std::to_string(errors) + " errors)"
                 : Verdict(m >= 5000, Fmt(5000 - m, 0) + " short")});
}

// The scale-out figures: scale_bench against real lambda-mcp and endpoint processes, one JSON line each.
void ScaleScenarios() {
  std::string only;
  for (const char* s : {"streams", "slow", "rate"}) {
    if (Enabled(s)) {
      only += (only.empty() ? "" : ",") + std::string(s);
    }
  }
  if (only.empty()) {
    return;
  }
  if (g_opts.scale_bench.empty() || access(g_opts.scale_bench.c_str(), X_OK) != 0) {
    NotAvailable("scale-out figures", "scale_bench not built");
    return;
  }
  Child c;
  if (!c.Spawn({g_opts.scale_bench, "--lambda-mcp", g_opts.lambda_mcp, "--local", g_opts.local, "--only",
                only, "--log", g_opts.log},
               {}, g_opts.log)) {
    NotAvailable("scale-out figures", "scale_bench did not start");
    return;
  }
  while (auto line = c.ReadLine(std::chrono::minutes(5))) {
    Json j = Json::parse(*line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      continue;
    }
    const std::string scenario = j.value("scenario", "");
    g_json["scale"][scenario] = j;
    if (j.contains("error")) {
      NotAvailable("scale-out: " + scenario, j["error"].get<std::string>());
    } else if (scenario == "streams") {
      const int n = j.value("streams", 0);
      const int held = j.value("held", 0);
      const bool probe = j.value("probe_ok", false);
      AddRow({std::to_string(n) + " open streams (subscriptions/listen) held", std::to_string(held) + " held",
              "-", "-", "all held, a call still served",
              Verdict(held == n && probe,
                      std::to_string(n - held) + " not held" + (probe ? "" : ", call failed"))});
      AddRow({"  while held: RSS, threads, a tools/call",
              Fmt(j.value("rss_kb", 0L) / 1024.0, 1) + " MB, " + std::to_string(j.value("threads", 0L)) +
                  ", " + Fmt(j.value("probe_ms", 0.0), 1) + " ms",
              "-", "-", "-", "ok"});
    } else if (scenario == "slow") {
      const double wall = j.value("wall_ms", 0.0);
      const double floor = j.value("seconds", 5) * 1000.0;
      const double rss_mb = j.value("peak_rss_kb", 0L) / 1024.0;
      const long errors = j.value("errors", 0L);
      AddRow({std::to_string(j.value("calls", 0)) + " concurrent calls of a " +
                  std::to_string(j.value("seconds", 5)) + " s function",
              Fmt(wall / 1000.0, 2) + " s", Fmt(floor / 1000.0, 0) + " s (floor)", Fmt(wall / floor),
              "<= 6 s, RSS <= 150 MB",
              errors ? "MISS (" + std::to_string(errors) + " errors)"
                     : Verdict(wall <= 6000 && rss_mb <= 150,
                               Fmt(wall / 1000.0, 2) + " s, " + Fmt(rss_mb, 0) + " MB")});
      AddRow({"  peak RSS, threads (slow calls)",
              Fmt(rss_mb, 1) + " MB, " + std::to_string(j.value("peak_threads", 0L)), "-", "-", "-", "ok"});
    } else if (scenario == "rate") {
      const double rate = j.value("calls_per_s", 0.0);
      const long errors = j.value("errors", 0L);
      AddRow({"tools/call over Streamable HTTP, " + std::to_string(j.value("clients", 0)) +
                  " keep-alive clients, fast function",
              Fmt(rate, 0) + " calls/s", "13.6k/s (agentgateway, 2 workers)", Fmt(rate / 13600.0),
              ">= 10000 calls/s",
              errors ? "MISS (" + std::to_string(errors) + " errors)"
                     : Verdict(rate >= 10000, Fmt(10000 - rate, 0) + " short")});
    }
  }
  c.Wait(std::chrono::seconds(30));
}

// ---- Micro-benchmarks (Google Benchmark JSON files)
// --------------------------------------------------------

void MicroRows() {
  for (const std::string& file : g_opts.micro) {
    std::ifstream in(file);
    Json j = Json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("benchmarks")) {
      NotAvailable("micro-benchmarks " + file, "no results");
      continue;
    }
    for (const auto& b : j["benchmarks"]) {
      if (b.value("run_type", "") == "aggregate" && b.value("aggregate_name", "") != "median") {
        continue;
      }
      double t = b.value("cpu_time", 0.0);  // CPU time: stable on a shared machine
      std::string unit = b.value("time_unit", "ns");
      AddRow({"micro " + b.value("name", "?"), Fmt(t, unit == "ns" ? 0 : 2) + " " + unit + "/op", "-", "-",
              "-", "ok"});
      g_json["micro"][b.value("name", "?")] = {{"real_time", t}, {"unit", unit}};
    }
  }
}

void PrintTable() {
  std::vector<size_t> w = {6, 5, 8, 5, 6, 7};
  auto cols = [](const Row& r) {
    return std::vector<std::string>{r.metric, r.value, r.baseline, r.ratio, r.target, r.verdict};
  };
  Row header{"metric", "value", "baseline", "ratio", "target", "verdict"};
  std::vector<Row> all = {header};
  all.insert(all.end(), g_rows.begin(), g_rows.end());
  for (const Row& r : all) {
    auto c = cols(r);
    for (size_t i = 0; i < c.size(); ++i) {
      w[i] = std::max(w[i], c[i].size());
    }
  }
  for (size_t k = 0; k < all.size(); ++k) {
    auto c = cols(all[k]);
    std::string line = "|";
    for (size_t i = 0; i < c.size(); ++i) {
      line += " " + c[i] + std::string(w[i] - c[i].size(), ' ') + " |";
    }
    std::printf("%s\n", line.c_str());
    if (k == 0) {
      std::string sep = "|";
      for (size_t i = 0; i < c.size(); ++i) {
        sep += std::string(w[i] + 2, '-') + "|";
      }
      std::printf("%s\n", sep.c_str());
    }
  }
}

int Main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--lambda-mcp") {
      g_opts.lambda_mcp = next();
    } else if (a == "--local") {
      g_opts.local = next();
    } else if (a == "--runs") {
      g_opts.runs = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--calls") {
      g_opts.calls = std::max(10, std::atoi(next().c_str()));
    } else if (a == "--json") {
      g_opts.json_out = next();
    } else if (a == "--micro") {
      g_opts.micro.push_back(next());
    } else if (a == "--moto") {
      g_opts.moto = true;
    } else if (a == "--log") {
      g_opts.log = next();
    } else if (a == "--http-bench") {
      g_opts.http_bench = next();
    } else if (a == "--scale-bench") {
      g_opts.scale_bench = next();
    } else if (a == "--only") {
      std::stringstream ss(next());
      std::string s;
      while (std::getline(ss, s, ',')) {
        g_opts.only.insert(s);
      }
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (g_opts.lambda_mcp.empty() || g_opts.local.empty()) {
    std::fprintf(stderr, "usage: mcp_bench --lambda-mcp BIN --local BIN [--runs N] [--calls N] [--json F]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  unsigned cores = std::thread::hardware_concurrency();
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  g_json["machine"] = {{"cores", cores}, {"time", stamp}, {"runs", g_opts.runs}, {"calls", g_opts.calls}};

  StartupScenarios();
  CallScenarios();
  ConcurrencyScenarios();
  HttpScenario();
  ScaleScenarios();
  MotoScenarios();
  MicroRows();

  std::printf("lambda-mcp bench: %u cores, medians of %d runs, %s\n", cores, g_opts.runs, stamp);
  PrintTable();
  Json rows = Json::array();
  for (const Row& r : g_rows) {
    rows.push_back({{"metric", r.metric},
                    {"value", r.value},
                    {"baseline", r.baseline},
                    {"ratio", r.ratio},
                    {"target", r.target},
                    {"verdict", r.verdict}});
  }
  g_json["table"] = rows;
  if (!g_opts.json_out.empty()) {
    std::ofstream out(g_opts.json_out);
    out << g_json.dump(2) << "\n";
    std::printf("results: %s\n", g_opts.json_out.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace lmcp::bench

int main(int argc, char** argv) { return lmcp::bench::Main(argc, argv); }

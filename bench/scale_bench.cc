// scale_bench: the scale-out figures of `make bench`, measured on real processes over loopback. Spawns
// `lambda-mcp-local` (synthetic echo functions) and `lambda-mcp serve --http` in front of it, drives the
// server from one single-threaded Boost.Asio client (2026-07-28, stateless, a bearer token), and prints one
// JSON object a line per scenario:
//   streams  N subscriptions/listen streams held open at once (a connection each) for H seconds, then one
//            tools/call on a fresh connection:
//            {"scenario","streams","held","dropped","probe_ms","rss_kb","threads"}
//   slow     N concurrent tools/call (a connection each) of a function that takes S seconds (a latency
//            fault on the endpoint): {"scenario","calls","errors","wall_ms","peak_rss_kb","peak_threads"}
//   rate     C keep-alive connections calling tools/call back to back for D seconds, the function
//            answering at once: {"scenario","clients","calls","errors","calls_per_s"}
// Usage: scale_bench --lambda-mcp BIN --local BIN [--only streams,slow,rate] [--streams 10000] [--hold 12]
//                    [--slow 1000] [--slow-seconds 5] [--rate-clients 64] [--rate-seconds 5] [--log FILE]

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_process.h"

namespace lmcp::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct Options {
  std::string lambda_mcp;
  std::string local;
  std::set<std::string> only;
  int streams = 10000;
  int hold_seconds = 12;  // past the server's 10 s stream keep-alive, so each stream sees one
  int slow = 1000;
  int slow_seconds = 5;
  int rate_clients = 64;
  int rate_seconds = 5;
  std::string log = "/dev/null";
};
Options g_opts;

bool Enabled(const std::string& s) { return g_opts.only.empty() || g_opts.only.count(s) > 0; }

void Print(const Json& j) {
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

// ---- Processes

// The endpoint's synthetic functions, `latency_ms` on every Invoke when non-zero.
class Endpoint {
 public:
  bool Start(int latency_ms, int account_concurrency) {
    std::vector<std::string> argv = {g_opts.local,
                                     "--port",
                                     "0",
                                     "--log-level",
                                     "warn",
                                     "--synthetic-functions",
                                     "4",
                                     "--synthetic-prefix",
                                     "scale-",
                                     "--account-concurrency",
                                     std::to_string(account_concurrency),
                                     "--max-connections",
                                     std::to_string(account_concurrency + 100)};
    if (latency_ms > 0) {
      argv.insert(argv.end(), {"--fault", "Invoke:latency=" + std::to_string(latency_ms)});
    }
    if (!child_.Spawn(argv, {}, g_opts.log)) {
      return false;
    }
    auto line = child_.ReadLine(30s);
    const std::string marker = "listening on ";
    if (!line || line->find(marker) == std::string::npos) {
      std::fprintf(stderr, "scale_bench: the local endpoint did not start (%s)\n",
                   line ? line->c_str() : "-");
      return false;
    }
    url_ = line->substr(line->find(marker) + marker.size());
    return true;
  }
  ~Endpoint() {
    if (child_.pid() > 0) {
      kill(child_.pid(), SIGTERM);
      child_.Wait(5s);
    }
  }
  const std::string& url() const { return url_; }

 private:
  Child child_;
  std::string url_;
};

// `lambda-mcp serve --http 127.0.0.1:0` in front of an endpoint; its stderr goes to a file read for the
// "listening on" line.
class Server {
 public:
  bool Start(const std::string& endpoint, const std::vector<std::string>& extra) {
    char dir[] = "/tmp/lmcp-scale-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      return false;
    }
    dir_ = dir;
    token_ = RandomToken();
    std::vector<std::string> argv = {g_opts.lambda_mcp, "--log-level", "warn",
                                     "serve",           "--http",      "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::map<std::string, std::string> env = {{"AWS_ENDPOINT_URL", endpoint},
                                              {"AWS_ACCESS_KEY_ID", "AKIDLOCAL"},
                                              {"AWS_SECRET_ACCESS_KEY", "lambda-mcp-local-secret"},
                                              {"AWS_REGION", "us-east-1"},
                                              {"AWS_CONFIG_FILE", "/dev/null"},
                                              {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
                                              {"FUNCTION_PREFIX", "scale-"},
                                              {"LAMBDA_MCP_AUTH_TOKEN", token_},
                                              {"XDG_STATE_HOME", dir_}};
    if (!child_.Spawn(argv, env, dir_ + "/stderr.log")) {
      return false;
    }
    for (int i = 0; i < 300 && child_.alive(); ++i) {  // 30 s
      std::ifstream in(dir_ + "/stderr.log");
      std::string line;
      while (std::getline(in, line)) {
        const std::string marker = "lambda-mcp: listening on http://";
        if (line.rfind(marker, 0) == 0) {
          std::string rest = line.substr(marker.size());  // 127.0.0.1:PORT/mcp
          size_t colon = rest.find(':');
          size_t slash = rest.find('/', colon);
          port_ = static_cast<unsigned short>(std::stoi(rest.substr(colon + 1, slash - colon - 1)));
          path_ = slash == std::string::npos ? "/" : rest.substr(slash);
          return FindTool();
        }
      }
      std::this_thread::sleep_for(100ms);  // a child process starting: nothing to wait on but its output
    }
    std::fprintf(stderr, "scale_bench: lambda-mcp serve did not start; its log: %s/stderr.log\n",
                 dir_.c_str());
    return false;
  }
  ~Server() {
    if (child_.pid() > 0) {
      kill(child_.pid(), SIGTERM);
      child_.Wait(10s);
    }
    if (!dir_.empty()) {
      std::system(("rm -rf '" + dir_ + "'").c_str());
    }
  }
  // The first tool of tools/list (a synchronous request, at start-up).
  const std::string& Tool() const { return tool_; }
  std::string Request(const std::string& method, const Json& params, int id) const {
    Json meta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                 {"io.modelcontextprotocol/clientCapabilities", Json::object()},
                 {"io.modelcontextprotocol/clientInfo", {{"name", "scale_bench"}, {"version", "1"}}}};
    Json p = params;
    p["_meta"] = meta;
    std::string body = Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", p}}.dump();
    std::string head = "POST " + path_ + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                       "\r\nAuthorization: Bearer " + token_ +
                       "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream"
                       "\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: " +
                       method + "\r\n";
    if (params.contains("name")) {
      head += "Mcp-Name: " + params["name"].get<std::string>() + "\r\n";
    }
    return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  std::string Call(int id) const {
    return Request("tools/call", {{"name", Tool()}, {"arguments", {{"i", id}}}}, id);
  }
  tcp::endpoint Address() const { return {asio::ip::make_address("127.0.0.1"), port_}; }
  long Field(const char* name) const { return StatusField(child_.pid(), name); }
  bool alive() { return child_.alive(); }

 private:
  bool FindTool() {
    try {
      asio::io_context io;
      tcp::socket sock(io);
      sock.connect(Address());
      asio::write(sock, asio::buffer(Request("tools/list", Json::object(), 1)));
      beast::flat_buffer buffer;
      http::response<http::string_body> res;
      http::read(sock, buffer, res);
      const std::string& body = res.body();
      size_t at = body.find("{\"jsonrpc\"") != std::string::npos ? body.find("{\"jsonrpc\"") : body.find('{');
      size_t end = body.rfind('}');
      Json list = Json::parse(body.substr(at, end - at + 1), nullptr, false);
      if (!list.is_discarded() && !list["result"]["tools"].empty()) {
        tool_ = list["result"]["tools"][0]["name"].get<std::string>();
        return true;
      }
      std::fprintf(stderr, "scale_bench: tools/list gave no tool: %s\n", body.substr(0, 300).c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "scale_bench: tools/list failed: %s\n", e.what());
    }
    return false;
  }
  static std::string RandomToken() {
    std::random_device rd;
    std::string t = "scale-bench-";
    for (int i = 0; i < 32; ++i) {
      t += "0123456789abcdef"[rd() % 16];
    }
    return t;
  }
  Child child_;
  std::string dir_;
  std::string token_;
  unsigned short port_ = 0;
  std::string path_;
  std::string tool_;
};

// A tools/call answered with a result that is not an error.
bool CallSucceeded(const http::response<http::string_body>& res) {
  const std::string& b = res.body();
  return res.result_int() == 200 && b.find("\"result\"") != std::string::npos &&
         b.find("\"isError\":true") == std::string::npos;
}

// One request on `sock`, its whole response read. Throws on an I/O error.
asio::awaitable<http::response<http::string_body>> Exchange(tcp::socket& sock, beast::flat_buffer& buffer,
                                                            const std::string& request) {
  co_await asio::async_write(sock, asio::buffer(request), asio::use_awaitable);
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  co_await http::async_read(sock, buffer, parser, asio::use_awaitable);
  co_return parser.release();
}

// Samples the server's RSS and threads every 100 ms while `running`.
asio::awaitable<void> Sample(const Server& server, const bool& running, long& peak_rss, long& peak_threads) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (running) {
    peak_rss = std::max(peak_rss, server.Field("VmRSS"));
    peak_threads = std::max(peak_threads, server.Field("Threads"));
    timer.expires_after(100ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// ---- streams

void Streams() {
  Endpoint endpoint;
  Server server;
  const std::string cap = std::to_string(g_opts.streams + 100);
  if (!endpoint.Start(0, 1000) ||
      !server.Start(endpoint.url(), {"--max-connections", cap, "--max-connections-per-address", cap,
                                     "--max-connections-per-principal", cap})) {
    Print({{"scenario", "streams"}, {"error", "start-up failed"}});
    return;
  }
  asio::io_context io(1);
  std::vector<std::shared_ptr<tcp::socket>> sockets;
  int opened = 0;
  int acknowledged = 0;
  int failed = 0;
  int dropped = 0;
  int connecting = 0;
  bool closing = false;
  const std::string listen =
      server.Request("subscriptions/listen", {{"notifications", {{"toolsListChanged", true}}}}, 1);

  auto hold = [&](std::shared_ptr<tcp::socket> sock) -> asio::awaitable<void> {
    bool acked = false;
    try {
      co_await sock->async_connect(server.Address(), asio::use_awaitable);
      --connecting;
      ++opened;
      co_await asio::async_write(*sock, asio::buffer(listen), asio::use_awaitable);
      beast::flat_buffer buffer;
      http::response_parser<http::buffer_body> parser;
      parser.body_limit(boost::none);
      co_await http::async_read_header(*sock, buffer, parser, asio::use_awaitable);
      std::string seen;
      char chunk[4096];
      while (!parser.is_done()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof chunk;
        auto [ec, n] =
            co_await http::async_read_some(*sock, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (ec && ec != http::error::need_buffer) {
          throw boost::system::system_error(ec);
        }
        if (!acked) {
          seen.append(chunk, sizeof chunk - parser.get().body().size);
          if (seen.find("acknowledged") != std::string::npos) {
            acked = true;
            ++acknowledged;
          }
        }
      }
      throw std::runtime_error("the stream ended");
    } catch (const std::exception&) {
      if (!closing) {
        if (acked) {
          ++dropped;
        } else {
          ++failed;
        }
      }
    }
  };

  Json result = {{"scenario", "streams"}, {"streams", g_opts.streams}};
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        const auto t0 = Now();
        for (int i = 0; i < g_opts.streams; ++i) {
          while (connecting >= 256) {  // never more than the listen backlog's worth of handshakes at once
            timer.expires_after(1ms);
            co_await timer.async_wait(asio::use_awaitable);
          }
          auto sock = std::make_shared<tcp::socket>(io);
          sockets.push_back(sock);
          ++connecting;
          asio::co_spawn(io, hold(sock), asio::detached);
        }
        while (acknowledged + failed < g_opts.streams && MsSince(t0) < 120000) {
          timer.expires_after(10ms);
          co_await timer.async_wait(asio::use_awaitable);
        }
        result["open_ms"] = MsSince(t0);
        timer.expires_after(std::chrono::seconds(g_opts.hold_seconds));
        co_await timer.async_wait(asio::use_awaitable);
        result["held"] = acknowledged - dropped;
        result["dropped"] = dropped;
        result["failed"] = failed;
        result["rss_kb"] = server.Field("VmRSS");
        result["threads"] = server.Field("Threads");
        // A call while every stream is open, on a fresh connection.
        tcp::socket probe(io);
        beast::flat_buffer buffer;
        const auto t1 = Now();
        try {
          co_await probe.async_connect(server.Address(), asio::use_awaitable);
          auto res = co_await Exchange(probe, buffer, server.Call(2));
          result["probe_ok"] = CallSucceeded(res);
        } catch (const std::exception& e) {
          result["probe_ok"] = false;
          result["probe_error"] = e.what();
        }
        result["probe_ms"] = MsSince(t1);
        closing = true;
        for (auto& s : sockets) {
          boost::system::error_code ignored;
          s->close(ignored);
        }
      },
      asio::detached);
  io.run();
  Print(result);
}

// ---- slow

void Slow() {
  Endpoint endpoint;
  Server server;
  const std::string n = std::to_string(g_opts.slow);
  const std::string cap = std::to_string(g_opts.slow + 100);
  if (!endpoint.Start(g_opts.slow_seconds * 1000, 2 * g_opts.slow) ||
      !server.Start(endpoint.url(), {"--max-connections", cap, "--max-connections-per-address", cap,
                                     "--max-connections-per-principal", cap, "--max-calls-per-principal", n,
                                     "--max-queued-calls-per-principal", n})) {
    Print({{"scenario", "slow"}, {"error", "start-up failed"}});
    return;
  }
  asio::io_context io(1);
  int done = 0;
  int errors = 0;
  std::string first_error;
  bool running = true;
  long peak_rss = 0;
  long peak_threads = 0;
  auto call = [&](int i) -> asio::awaitable<void> {
    tcp::socket sock(io);
    beast::flat_buffer buffer;
    try {
      co_await sock.async_connect(server.Address(), asio::use_awaitable);
      auto res = co_await Exchange(sock, buffer, server.Call(i));
      if (!CallSucceeded(res)) {
        ++errors;
        if (first_error.empty()) {
          first_error = std::to_string(res.result_int()) + " " + res.body().substr(0, 300);
        }
      }
    } catch (const std::exception& e) {
      ++errors;
      if (first_error.empty()) {
        first_error = e.what();
      }
    }
    if (++done == g_opts.slow) {
      running = false;
    }
  };
  const auto t0 = Now();
  asio::co_spawn(io, Sample(server, running, peak_rss, peak_threads), asio::detached);
  for (int i = 0; i < g_opts.slow; ++i) {
    asio::co_spawn(io, call(i), asio::detached);
  }
  io.run();
  Json result = {{"scenario", "slow"},
                 {"calls", g_opts.slow},
                 {"seconds", g_opts.slow_seconds},
                 {"errors", errors},
                 {"wall_ms", MsSince(t0)},
                 {"peak_rss_kb", peak_rss},
                 {"peak_threads", peak_threads}};
  if (!first_error.empty()) {
    result["first_error"] = first_error;
  }
  Print(result);
}

// ---- rate

void Rate() {
  Endpoint endpoint;
  Server server;
  const std::string cap = std::to_string(g_opts.rate_clients + 100);
  if (!endpoint.Start(0, 1000) ||
      !server.Start(endpoint.url(), {"--max-connections", cap, "--max-connections-per-address", cap,
                                     "--max-connections-per-principal", cap, "--max-calls-per-principal",
                                     std::to_string(std::max(32, g_opts.rate_clients))})) {
    Print({{"scenario", "rate"}, {"error", "start-up failed"}});
    return;
  }
  asio::io_context io(1);
  long calls = 0;
  long errors = 0;
  std::string first_error;
  bool counting = false;
  bool stop = false;
  long reconnects = 0;
  auto client = [&](int c) -> asio::awaitable<void> {
    tcp::socket sock(io);
    beast::flat_buffer buffer;
    try {
      for (int i = 0; !stop; ++i) {
        if (!sock.is_open()) {
          buffer.clear();
          co_await sock.async_connect(server.Address(), asio::use_awaitable);
        }
        auto res = co_await Exchange(sock, buffer, server.Call(c * 1000000 + i));
        if (!res.keep_alive()) {  // the server ended the connection with this response
          sock.close();
          reconnects += counting ? 1 : 0;
        }
        if (!counting) {
          continue;
        }
        if (CallSucceeded(res)) {
          ++calls;
        } else {
          ++errors;
          if (first_error.empty()) {
            first_error = std::to_string(res.result_int()) + " " + res.body().substr(0, 300);
          }
        }
      }
    } catch (const std::exception& e) {
      ++errors;
      if (first_error.empty()) {
        first_error = e.what();
      }
    }
  };
  double measured_ms = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        timer.expires_after(1s);  // warm-up: connections open, the catalog and the endpoint warm
        co_await timer.async_wait(asio::use_awaitable);
        counting = true;
        const auto t0 = Now();
        timer.expires_after(std::chrono::seconds(g_opts.rate_seconds));
        co_await timer.async_wait(asio::use_awaitable);
        counting = false;
        measured_ms = MsSince(t0);
        stop = true;
      },
      asio::detached);
  for (int c = 0; c < g_opts.rate_clients; ++c) {
    asio::co_spawn(io, client(c), asio::detached);
  }
  io.run();
  Json result = {
      {"scenario", "rate"},       {"clients", g_opts.rate_clients},
      {"calls", calls},           {"errors", errors},
      {"reconnects", reconnects}, {"calls_per_s", measured_ms > 0 ? calls * 1000.0 / measured_ms : 0.0}};
  if (!first_error.empty()) {
    result["first_error"] = first_error;
  }
  Print(result);
}

int Main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--lambda-mcp") {
      g_opts.lambda_mcp = next();
    } else if (a == "--local") {
      g_opts.local = next();
    } else if (a == "--only") {
      std::stringstream ss(next());
      for (std::string s; std::getline(ss, s, ',');) {
        g_opts.only.insert(s);
      }
    } else if (a == "--streams") {
      g_opts.streams = std::stoi(next());
    } else if (a == "--hold") {
      g_opts.hold_seconds = std::stoi(next());
    } else if (a == "--slow") {
      g_opts.slow = std::stoi(next());
    } else if (a == "--slow-seconds") {
      g_opts.slow_seconds = std::stoi(next());
    } else if (a == "--rate-clients") {
      g_opts.rate_clients = std::stoi(next());
    } else if (a == "--rate-seconds") {
      g_opts.rate_seconds = std::stoi(next());
    } else if (a == "--log") {
      g_opts.log = next();
    } else {
      std::fprintf(stderr, "scale_bench: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (g_opts.lambda_mcp.empty() || g_opts.local.empty()) {
    std::fprintf(stderr, "usage: scale_bench --lambda-mcp BIN --local BIN [--only streams,slow,rate] ...\n");
    return 2;
  }
  // Every stream is a socket here too; the children inherit the raised limit.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  signal(SIGPIPE, SIG_IGN);
  if (Enabled("streams")) {
    Streams();
  }
  if (Enabled("slow")) {
    Slow();
  }
  if (Enabled("rate")) {
    Rate();
  }
  return 0;
}

}  // namespace
}  // namespace lmcp::bench

int main(int argc, char** argv) { return lmcp::bench::Main(argc, argv); }

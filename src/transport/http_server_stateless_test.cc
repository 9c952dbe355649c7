// The Streamable HTTP transport's MCP 2026-07-28 half, driven through the real MCP core: per-request
// sessions, the era's header checks and status codes, streams, cancellation by a closed stream, and the
// session era still served on the same endpoint.

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <mutex>

#include "mcp/request_meta.h"
#include "mcp/server.h"
#include "tests/support/mcp/test_support.h"
#include "tests/support/raw_socket.h"
#include "tests/support/transport/http_test_util.h"
#include "transport/http_server.h"

namespace lmcp::transport {
namespace {

using Json = nlohmann::json;
using testing::ParseSse;

Json Meta() {
  return Json{{mcp::kMetaProtocolVersion, "2026-07-28"},
              {mcp::kMetaClientCapabilities, Json::object()},
              {mcp::kMetaClientInfo, {{"name", "t"}, {"version", "1"}}}};
}

Json Request(const Json& id, const std::string& method, Json params = Json::object()) {
  params["_meta"] = Meta();
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

class StatelessHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerDeps deps;
    deps.session_factory = [this](mcp::MessageSink& sink, const mcp::SessionOptions& options) {
      return mcp_.CreateSession(sink, options);
    };
    // `echo` mirrors its "region" argument into Mcp-Param-Region.
    deps.input_schema = [this](const mcp::Identity& caller, const std::string& tool) -> std::optional<Json> {
      {
        std::lock_guard lock(schema_callers_mu_);  // the server's thread; the test reads it after
        schema_callers_.push_back(caller.name);
      }
      if (tool != "echo") {
        return std::nullopt;
      }
      return Json{{"type", "object"},
                  {"properties", {{"region", {{"type", "string"}, {"x-mcp-header", "Region"}}}}}};
    };
    HttpServerOptions options;
    options.reap_interval = std::chrono::seconds(1);
    options.shutdown_grace = std::chrono::milliseconds(2000);
    server_ = std::make_unique<HttpServer>(options, deps);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(std::chrono::seconds(20));
  }
  void TearDown() override { server_->Stop(); }

  // The era's headers for `body`, minus `drop`, plus `extra`.
  static httplib::Headers HeadersFor(const Json& body, const std::string& drop = "",
                                     httplib::Headers extra = {}) {
    httplib::Headers h = {{"Accept", "application/json, text/event-stream"},
                          {"MCP-Protocol-Version", "2026-07-28"},
                          {"Mcp-Method", body.value("method", "")}};
    if (body.value("method", "") == "tools/call") {
      h.emplace("Mcp-Name", body["params"].value("name", ""));
    }
    if (!drop.empty()) {
      h.erase(drop);
    }
    for (auto& [k, v] : extra) {
      h.erase(k);
      h.emplace(k, v);
    }
    return h;
  }
  httplib::Result Post(const Json& body, const httplib::Headers& headers) {
    return client_->Post("/mcp", headers, body.dump(), "application/json");
  }
  // The response message of a JSON or SSE answer.
  static Json Answer(const httplib::Result& r) {
    if (r->get_header_value("Content-Type").find("text/event-stream") != std::string::npos) {
      auto frames = ParseSse(r->body);
      return frames.empty() ? Json() : frames.back();
    }
    return Json::parse(r->body);
  }

  mcp::testing::FakeProvider provider_;
  mcp::McpServer mcp_{provider_};
  std::unique_ptr<HttpServer> server_;
  std::vector<std::string> SchemaCallers() {
    std::lock_guard lock(schema_callers_mu_);
    return schema_callers_;
  }
  std::mutex schema_callers_mu_;
  std::vector<std::string> schema_callers_;  // whose list each input_schema lookup was for
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(StatelessHttpTest, DiscoverIsAnsweredWithoutASession) {
  Json body = Request(1, "server/discover");
  auto r = Post(body, HeadersFor(body));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("Mcp-Session-Id"));
  Json answer = Answer(r);
  EXPECT_EQ(answer["id"], 1);
  EXPECT_EQ(answer["result"]["resultType"], "complete");
  EXPECT_EQ(answer["result"]["supportedVersions"], Json::array({"2026-07-28"}));
  EXPECT_EQ(server_->session_count(), 0u);
}

TEST_F(StatelessHttpTest, TheErasErrorsHaveTheirStatusAndTheRequestId) {
  struct Case {
    const char* what;
    Json body;
    httplib::Headers headers;
    int status;
    int code;
  };
  Json no_meta{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "server/discover"}, {"params", Json::object()}};
  Json v999 = Request(3, "server/discover");
  v999["params"]["_meta"][mcp::kMetaProtocolVersion] = "v999";
  Json call = Request(4, "tools/call", {{"name", "echo"}, {"arguments", Json::object()}});
  Json unknown = Request(5, "x/unknown");
  Json initialize = Request(6, "initialize");
  const Case cases[] = {
      {"missing _meta", no_meta, HeadersFor(no_meta), 400, -32602},
      {"unknown version", v999, HeadersFor(v999, "", {{"MCP-Protocol-Version", "v999"}}), 400, -32022},
      {"version header vs _meta", v999, HeadersFor(v999), 400, -32020},
      {"no version header", call, HeadersFor(call, "MCP-Protocol-Version"), 400, -32020},
      {"no Mcp-Method", call, HeadersFor(call, "Mcp-Method"), 400, -32020},
      {"Mcp-Method vs method", call, HeadersFor(call, "", {{"Mcp-Method", "tools/list"}}), 400, -32020},
      {"no Mcp-Name", call, HeadersFor(call, "Mcp-Name"), 400, -32020},
      {"Mcp-Name vs name", call, HeadersFor(call, "", {{"Mcp-Name", "fail"}}), 400, -32020},
      {"Mcp-Name with a control character", call, HeadersFor(call, "", {{"Mcp-Name", "=?base64?ZWNobwo=?="}}),
       400, -32020},
      {"unknown method", unknown, HeadersFor(unknown), 404, -32601},
      {"initialize in the new era", initialize, HeadersFor(initialize), 404, -32601},
  };
  for (const Case& c : cases) {
    auto r = Post(c.body, c.headers);
    ASSERT_TRUE(r) << c.what;
    EXPECT_EQ(r->status, c.status) << c.what;
    Json answer = Answer(r);
    EXPECT_EQ(answer["error"]["code"], c.code) << c.what << ": " << r->body;
    EXPECT_EQ(answer["id"], c.body["id"]) << c.what;
  }
}

TEST_F(StatelessHttpTest, ACallStreamsItsResultAndABase64NameIsDecoded) {
  Json call = Request(7, "tools/call", {{"name", "echo"}, {"arguments", {{"a", 1}}}});
  auto r = Post(call, HeadersFor(call, "", {{"Mcp-Name", "=?base64?ZWNobw==?="}}));  // "echo"
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  Json answer = Answer(r);
  EXPECT_EQ(answer["result"]["resultType"], "complete");
  EXPECT_EQ(answer["result"]["content"][0]["text"], R"({"a":1})");
}

TEST_F(StatelessHttpTest, McpParamHeadersMustMatchTheAnnotatedArguments) {
  Json call = Request(10, "tools/call", {{"name", "echo"}, {"arguments", {{"region", "us-west1"}}}});
  auto ok = Post(call, HeadersFor(call, "", {{"Mcp-Param-Region", "us-west1"}}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(Answer(ok)["result"]["resultType"], "complete");
  EXPECT_EQ(SchemaCallers(),
            std::vector<std::string>{"anonymous"});  // the tool looked up in the caller's list
  auto base64 = Post(call, HeadersFor(call, "", {{"mcp-param-region", "=?base64?dXMtd2VzdDE=?="}}));
  ASSERT_TRUE(base64);
  EXPECT_EQ(base64->status, 200);
  for (const auto& bad : std::vector<httplib::Headers>{
           HeadersFor(call),                                          // the value is there, the header is not
           HeadersFor(call, "", {{"Mcp-Param-Region", "eu-west1"}}),  // a different value
           HeadersFor(call, "", {{"Mcp-Param-Region", "=?base64?dXMtd2VzdDE?="}}),  // bad padding
       }) {
    auto r = Post(call, bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(Answer(r)["error"]["code"], -32020) << r->body;
  }
  Json without = Request(11, "tools/call", {{"name", "echo"}, {"arguments", Json::object()}});
  auto extra = Post(without, HeadersFor(without, "", {{"Mcp-Param-Region", "us-west1"}}));
  ASSERT_TRUE(extra);
  EXPECT_EQ(extra->status, 400);  // a header for an absent value
}

TEST_F(StatelessHttpTest, AClosedStreamCancelsItsCall) {
  Json call = Request(8, "tools/call", {{"name", "block"}, {"arguments", {{"gate", 1}}}});
  std::string text = call.dump();
  std::string head =
      "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n"
      "Content-Type: application/json\r\nMCP-Protocol-Version: 2026-07-28\r\n"
      "Mcp-Method: tools/call\r\nMcp-Name: block\r\nContent-Length: " +
      std::to_string(text.size()) + "\r\n\r\n";
  int fd = test_support::ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(test_support::SendAll(fd, head + text));
  ASSERT_TRUE(provider_.WaitStarted(1));
  ::close(fd);
  // Bounded by the server noticing the close (at the latest, its keep-alive write).
  for (int i = 0; i < 400 && provider_.cancelled() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(provider_.cancelled(), 1);
}

TEST_F(StatelessHttpTest, SubscriptionStreamsListChangesAndEndsGracefullyOnStop) {
  Json listen = Request(9, "subscriptions/listen", {{"notifications", {{"toolsListChanged", true}}}});
  std::string text = listen.dump();
  int fd = test_support::ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(test_support::SendAll(
      fd,
      "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n"
      "Content-Type: application/json\r\nMCP-Protocol-Version: 2026-07-28\r\n"
      "Mcp-Method: subscriptions/listen\r\nContent-Length: " +
          std::to_string(text.size()) + "\r\n\r\n" + text));
  std::string got;
  ASSERT_TRUE(test_support::ReadUntil(fd, got, "acknowledged", std::chrono::seconds(20))) << got;
  provider_.FireListChanged();
  ASSERT_TRUE(test_support::ReadUntil(fd, got, "list_changed", std::chrono::seconds(20))) << got;
  std::thread stop([this] { server_->Stop(); });
  test_support::ReadUntil(fd, got, "\"resultType\"", std::chrono::seconds(20));
  stop.join();
  ::close(fd);
  auto frames = ParseSse(got.substr(got.find("\r\n\r\n") + 4));
  ASSERT_GE(frames.size(), 3u) << got;
  EXPECT_EQ(frames[0]["method"], "notifications/subscriptions/acknowledged");
  EXPECT_EQ(frames[1]["method"], "notifications/tools/list_changed");
  EXPECT_EQ(frames[1]["params"]["_meta"][mcp::kMetaSubscriptionId], 9);
  EXPECT_EQ(frames.back()["id"], 9);
  EXPECT_EQ(frames.back()["result"]["resultType"], "complete");
}

TEST_F(StatelessHttpTest, GetAndDeleteAreNotAllowedInTheNewEra) {
  httplib::Headers h = {{"Accept", "text/event-stream"}, {"MCP-Protocol-Version", "2026-07-28"}};
  auto get = client_->Get("/mcp", h);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  auto del = client_->Delete("/mcp", h);
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
}

TEST_F(StatelessHttpTest, TheSessionEraStillWorksOnTheSameEndpoint) {
  Json init{{"jsonrpc", "2.0"},
            {"id", 1},
            {"method", "initialize"},
            {"params",
             {{"protocolVersion", "2025-11-25"},
              {"capabilities", Json::object()},
              {"clientInfo", {{"name", "old"}, {"version", "1"}}}}}};
  auto r = Post(init, {{"Accept", "application/json, text/event-stream"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  std::string session = r->get_header_value("Mcp-Session-Id");
  EXPECT_FALSE(session.empty());
  EXPECT_EQ(Answer(r)["result"]["protocolVersion"], "2025-11-25");
  Json list{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}};
  auto listed = Post(list, {{"Accept", "application/json, text/event-stream"},
                            {"Mcp-Session-Id", session},
                            {"MCP-Protocol-Version", "2025-11-25"}});
  ASSERT_TRUE(listed);
  Json answer = Answer(listed);
  EXPECT_FALSE(answer["result"].contains("resultType"));
  EXPECT_FALSE(answer["result"]["tools"].empty());
}

}  // namespace
}  // namespace lmcp::transport

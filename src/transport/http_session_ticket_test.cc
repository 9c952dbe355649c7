// Two HttpServers sharing a session-ticket key stand for two replicas behind a balancer with no stickiness:
// a 2025-era session initialized on one is served by the other.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "common/crypto.h"
#include "mcp/session_ticket.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/transport/http_test_util.h"
#include "transport/http_server.h"

namespace lmcp::transport {
namespace {

using Json = nlohmann::json;
using testing::FakeSessions;

constexpr char kAccept[] = "application/json, text/event-stream";

const Json kInitialize = {{"jsonrpc", "2.0"},
                          {"id", 1},
                          {"method", "initialize"},
                          {"params",
                           {{"protocolVersion", "2025-11-25"},
                            {"capabilities", {{"elicitation", Json::object()}}},
                            {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}};
const Json kPing = {{"jsonrpc", "2.0"}, {"id", 7}, {"method", "ping"}};

struct Replica {
  FakeSessions fakes;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<httplib::Client> client;

  void Start(const mcp::SessionTickets* tickets, Clock& clock) {
    HttpServerDeps deps;
    deps.session_factory = fakes.Factory();
    deps.clock = &clock;
    deps.session_tickets = tickets;
    HttpServerOptions options;
    options.reap_interval = std::chrono::seconds(3600);
    options.shutdown_grace = std::chrono::milliseconds(500);
    server = std::make_unique<HttpServer>(options, deps);
    ASSERT_TRUE(server->Start().ok());
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_read_timeout(std::chrono::seconds(20));
  }
  httplib::Result Post(const Json& body, const std::string& session = "") {
    httplib::Headers h = {{"Accept", kAccept}};
    if (!session.empty()) {
      h.emplace("Mcp-Session-Id", session);
      h.emplace("MCP-Protocol-Version", "2025-11-25");
    }
    return client->Post("/mcp", h, body.dump(), "application/json");
  }
  httplib::Result Delete(const std::string& session) {
    return client->Delete("/mcp", {{"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2025-11-25"}});
  }
  int PingStatus(const std::string& session) {
    auto r = Post(kPing, session);
    return r ? r->status : -1;
  }
  ~Replica() {
    if (server) {
      server->Stop();
    }
  }
};

class SessionTicketTest : public ::testing::Test {
 protected:
  std::string Initialize(Replica& replica) {
    auto r = replica.Post(kInitialize);
    EXPECT_TRUE(r);
    if (!r) {
      return "";
    }
    EXPECT_EQ(r->status, 200);
    return r->get_header_value("Mcp-Session-Id");
  }

  FakeClock clock_;
  std::unique_ptr<mcp::SessionTickets> tickets_ = std::make_unique<mcp::SessionTickets>(
      RandomBytes(kAeadKeyBytes).value(), clock_, std::chrono::hours(24));
  Replica a_;
  Replica b_;
};

TEST_F(SessionTicketTest, AnotherReplicaResumesTheSessionFromItsId) {
  a_.Start(tickets_.get(), clock_);
  b_.Start(tickets_.get(), clock_);
  std::string sid = Initialize(a_);
  EXPECT_EQ(sid.rfind("lmcp1.", 0), 0u) << sid;
  EXPECT_LE(sid.size(), mcp::kMaxSessionIdBytes);

  EXPECT_EQ(b_.PingStatus(sid), 200);
  ASSERT_NE(b_.fakes.last(), nullptr);
  EXPECT_EQ(b_.fakes.last()->protocol_version(), "2025-11-25");
  EXPECT_EQ(b_.fakes.last()->received().front(), (Json{{"resumed", "2025-11-25"}}));
  EXPECT_EQ(b_.server->session_count(), 1u);

  // A tool call on B streams its answer like any call of a session B made itself.
  auto call = b_.Post({{"jsonrpc", "2.0"},
                       {"id", 2},
                       {"method", "tools/call"},
                       {"params", {{"name", "echo"}, {"arguments", Json::object()}}}},
                      sid);
  ASSERT_TRUE(call);
  EXPECT_EQ(call->status, 200);
  EXPECT_NE(call->body.find("called echo"), std::string::npos) << call->body;
  // Resumed once: B holds it now.
  EXPECT_EQ(b_.PingStatus(sid), 200);
  EXPECT_EQ(b_.fakes.count(), 1u);
}

TEST_F(SessionTicketTest, ForgedExpiredAndForeignIdsAreUnknown) {
  a_.Start(tickets_.get(), clock_);
  std::string sid = Initialize(a_);
  std::string forged = sid;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(a_.PingStatus(forged), 404);

  // Another deployment (another key) does not know it.
  mcp::SessionTickets other(RandomBytes(kAeadKeyBytes).value(), clock_, std::chrono::hours(24));
  b_.Start(&other, clock_);
  EXPECT_EQ(b_.PingStatus(sid), 404);

  // Past its max age no replica resumes it; the one holding it still serves it until it idles out.
  Replica c;
  c.Start(tickets_.get(), clock_);
  clock_.Advance(std::chrono::hours(25));
  EXPECT_EQ(c.PingStatus(sid), 404);
}

TEST_F(SessionTicketTest, DeleteEndsItOnTheReplicaThatGotIt) {
  a_.Start(tickets_.get(), clock_);
  b_.Start(tickets_.get(), clock_);
  std::string sid = Initialize(a_);
  auto r = b_.Delete(sid);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(b_.PingStatus(sid), 404);  // never resumed here again
  r = b_.Delete(sid);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(SessionTicketTest, AnIdleExpiredSessionIsResumedWhenItsClientComesBack) {
  a_.Start(tickets_.get(), clock_);
  std::string sid = Initialize(a_);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(a_.server->ExpireIdleSessions(), 1u);  // frees memory only: the id is still a valid ticket
  EXPECT_EQ(a_.PingStatus(sid), 200);
  EXPECT_EQ(a_.fakes.count(), 2u);
}

TEST_F(SessionTicketTest, AnOddClientInfoStillGetsATicket) {
  a_.Start(tickets_.get(), clock_);
  b_.Start(tickets_.get(), clock_);
  Json init = kInitialize;
  init["params"]["clientInfo"] = {{"name", 42}};
  auto r = a_.Post(init);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  std::string sid = r->get_header_value("Mcp-Session-Id");
  EXPECT_EQ(b_.PingStatus(sid), 200);
}

TEST_F(SessionTicketTest, WithoutTicketsIdsAreRandomAndLocal) {
  a_.Start(nullptr, clock_);
  b_.Start(nullptr, clock_);
  std::string sid = Initialize(a_);
  EXPECT_EQ(sid.size(), 43u);
  EXPECT_EQ(a_.PingStatus(sid), 200);
  EXPECT_EQ(b_.PingStatus(sid), 404);
}

}  // namespace
}  // namespace lmcp::transport

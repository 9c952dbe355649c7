// Tasks through a session, with the conformance fixtures: 2025-11-25 (params.task, tasks/get|result|list|
// cancel) and the 2026-07-28 extension (server-directed tasks, tasks/get|update|cancel, notifications/tasks
// on subscriptions/listen), the gates of each era, and a task that outlives the session that created it.

#include <gtest/gtest.h>

#include <thread>

#include "jsonrpc/error_codes.h"
#include "mcp/conformance_fixtures.h"
#include "mcp/request_meta.h"
#include "mcp/task_wire.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using testing::RecordingSink;
using testing::TestClient;

Json TaskParams(Json params) {
  params["task"] = Json{{"ttl", 120000}};
  return params;
}

Json Meta(bool tasks_extension, Json capabilities = Json::object()) {
  if (tasks_extension) {
    capabilities["extensions"][kTasksExtension] = Json::object();
  }
  return Json{{kMetaProtocolVersion, "2026-07-28"},
              {kMetaClientCapabilities, std::move(capabilities)},
              {kMetaClientInfo, {{"name", "modern"}, {"version", "1"}}}};
}

Json Stateless(Json params, bool tasks_extension = true) {
  params["_meta"] = Meta(tasks_extension, Json{{"elicitation", Json::object()}});
  return params;
}

class SessionTasks2025Test : public ::testing::Test {
 protected:
  void SetUp() override { client_.Initialize("2025-11-25"); }
  std::string StartSlow(const Json& id, double seconds) {
    Json r = client_.Request(id, "tools/call",
                             TaskParams({{"name", "slow_compute"}, {"arguments", {{"seconds", seconds}}}}));
    EXPECT_TRUE(r["result"]["task"]["taskId"].is_string()) << r.dump();
    return r["result"]["task"].value("taskId", "");
  }

  ConformanceFixtures fixtures_;
  TestClient client_{fixtures_};
};

TEST_F(SessionTasks2025Test, ToolsListSaysWhichToolsRunAsTasks) {
  Json tools = client_.Request(1, "tools/list")["result"]["tools"];
  std::map<std::string, Json> by_name;
  for (const Json& t : tools) {
    by_name[t["name"]] = t;
  }
  EXPECT_EQ(by_name["slow_compute"]["execution"]["taskSupport"], "optional");
  EXPECT_EQ(by_name["failing_job"]["execution"]["taskSupport"], "required");
  EXPECT_FALSE(by_name["greet"].contains("execution"));  // forbidden: the default, left out
}

TEST_F(SessionTasks2025Test, ATaskIsCreatedAtOnceAndTasksResultWaitsForItsEnd) {
  std::string id = StartSlow("call", 0.3);
  Json got = client_.Request("get", "tasks/get", {{"taskId", id}})["result"];
  EXPECT_EQ(got["taskId"], id);
  EXPECT_TRUE(got["ttl"].is_number_integer());
  EXPECT_TRUE(got["pollInterval"].is_number_integer());
  EXPECT_FALSE(got.contains("ttlMs"));
  Json result = client_.Request("result", "tasks/result", {{"taskId", id}});  // blocks until completed
  EXPECT_EQ(result["result"]["content"][0]["text"], "Computed job in 0.3 s");
  EXPECT_EQ(result["result"]["_meta"][kMetaRelatedTask]["taskId"], id);
  EXPECT_EQ(client_.Request("again", "tasks/get", {{"taskId", id}})["result"]["status"], "completed");
  Json listed = client_.Request("list", "tasks/list", Json::object())["result"];
  ASSERT_EQ(listed["tasks"].size(), 1u);
  EXPECT_EQ(listed["tasks"][0]["taskId"], id);
}

TEST_F(SessionTasks2025Test, CancelEndsTheTaskAndCancellingAnEndedOneIsRefused) {
  std::string id = StartSlow("call", 60);
  Json cancelled = client_.Request("cancel", "tasks/cancel", {{"taskId", id}});
  EXPECT_EQ(cancelled["result"]["status"], "cancelled") << cancelled.dump();
  Json again = client_.Request("cancel2", "tasks/cancel", {{"taskId", id}});
  EXPECT_EQ(again["error"]["code"], jsonrpc::kInvalidParams);
  Json result = client_.Request("result", "tasks/result", {{"taskId", id}});
  EXPECT_EQ(result["error"]["code"], jsonrpc::kInternalError);
  EXPECT_NE(result["error"]["message"].get<std::string>().find("cancelled"), std::string::npos);
}

TEST_F(SessionTasks2025Test, AFailedTaskAnswersTasksResultWithItsError) {
  Json r = client_.Request(1, "tools/call", TaskParams({{"name", "protocol_error_job"}}));
  std::string id = r["result"]["task"]["taskId"];
  Json result = client_.Request(2, "tasks/result", {{"taskId", id}});
  EXPECT_EQ(result["error"]["code"], jsonrpc::kInternalError);
  EXPECT_NE(result["error"]["message"].get<std::string>().find("protocol"), std::string::npos);
}

TEST_F(SessionTasks2025Test, TaskSupportIsEnforced) {
  Json forbidden = client_.Request(1, "tools/call", TaskParams({{"name", "greet"}}));
  EXPECT_EQ(forbidden["error"]["code"], jsonrpc::kMethodNotFound);
  Json required = client_.Request(2, "tools/call", {{"name", "failing_job"}});
  EXPECT_EQ(required["error"]["code"], jsonrpc::kMethodNotFound);
  EXPECT_NE(required["error"]["message"].get<std::string>().find("must be called as a task"),
            std::string::npos);
  Json optional =
      client_.Request(3, "tools/call", {{"name", "slow_compute"}, {"arguments", {{"seconds", 0}}}});
  EXPECT_TRUE(optional["result"].contains("content"));  // no task asked: runs now
  Json unknown = client_.Request(4, "tasks/get", {{"taskId", "nope"}});
  EXPECT_EQ(unknown["error"]["code"], jsonrpc::kInvalidParams);
}

TEST_F(SessionTasks2025Test, ATaskOutlivesItsSessionAndAnotherPrincipalCannotSeeIt) {
  ConformanceFixtures fixtures;
  McpServer server(fixtures);
  RecordingSink sink_a;
  auto a = server.CreateSession(sink_a, {.principal = "alice"});
  auto initialize = [](Session& s) {
    s.HandleMessage(Json{{"jsonrpc", "2.0"},
                         {"id", "init"},
                         {"method", "initialize"},
                         {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}}}});
  };
  initialize(*a);
  a->HandleMessage(
      Json{{"jsonrpc", "2.0"},
           {"id", 1},
           {"method", "tools/call"},
           {"params", TaskParams({{"name", "slow_compute"}, {"arguments", {{"seconds", 0.2}}}})}});
  auto created = sink_a.WaitResponse(1);
  ASSERT_TRUE(created.has_value());
  std::string id = (*created)["result"]["task"]["taskId"];
  a.reset();  // the client is gone; the task goes on

  for (const char* who : {"alice", "mallory"}) {
    RecordingSink sink;
    auto s = server.CreateSession(sink, {.principal = who});
    initialize(*s);
    s->HandleMessage(
        Json{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tasks/result"}, {"params", {{"taskId", id}}}});
    auto result = sink.WaitResponse(2);
    ASSERT_TRUE(result.has_value());
    if (std::string(who) == "alice") {
      EXPECT_EQ((*result)["result"]["content"][0]["text"], "Computed job in 0.2 s") << result->dump();
    } else {
      EXPECT_EQ((*result)["error"]["code"], jsonrpc::kInvalidParams);  // not found, like an unknown id
    }
  }
}

TEST(SessionTasksOlderTest, SessionsBefore20251125HaveNoTasks) {
  ConformanceFixtures fixtures;
  TestClient client(fixtures);
  Json init = client.Initialize("2025-06-18");
  EXPECT_FALSE(init["capabilities"].contains("tasks"));
  EXPECT_EQ(client.Request(1, "tasks/get", {{"taskId", "x"}})["error"]["code"], jsonrpc::kMethodNotFound);
  Json call = client.Request(2, "tools/call",
                             TaskParams({{"name", "slow_compute"}, {"arguments", {{"seconds", 0}}}}));
  EXPECT_TRUE(call["result"].contains("content"));  // params.task means nothing before 2025-11-25
}

TEST(SessionTasksDisabledTest, NoCapabilityAndOptionalToolsRunNow) {
  ConformanceFixtures fixtures;
  ServerOptions options;
  options.tasks.enabled = false;
  TestClient client(fixtures, options);
  EXPECT_FALSE(client.Initialize("2025-11-25")["capabilities"].contains("tasks"));
  Json call = client.Request(1, "tools/call",
                             TaskParams({{"name", "slow_compute"}, {"arguments", {{"seconds", 0}}}}));
  EXPECT_TRUE(call["result"].contains("content"));
  EXPECT_EQ(client.Request(2, "tools/call", {{"name", "failing_job"}})["error"]["code"],
            jsonrpc::kInternalError);
}

class SessionTasksExtensionTest : public ::testing::Test {
 protected:
  // tasks/get until the task has `status` (its run is on a worker thread); bounded by kWaitLimit.
  Json PollUntil(const std::string& id, const std::string& status) {
    Json got;
    auto deadline = std::chrono::steady_clock::now() + testing::kWaitLimit;
    for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
      got = client_.Request("poll" + std::to_string(i), "tasks/get", Stateless({{"taskId", id}}))["result"];
      if (got["status"] == status || got["status"] == "failed" || got["status"] == "cancelled") {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(got["status"], status);
    return got;
  }

  ConformanceFixtures fixtures_;
  TestClient client_{fixtures_};
};

TEST_F(SessionTasksExtensionTest, TheServerDecidesForAClientThatDeclaredTheExtension) {
  Json discover = client_.Request(0, "server/discover", Stateless(Json::object()))["result"];
  EXPECT_TRUE(discover["capabilities"]["extensions"].contains(kTasksExtension));
  EXPECT_FALSE(discover["capabilities"].contains("tasks"));

  Json created = client_.Request(
      1, "tools/call", Stateless({{"name", "slow_compute"}, {"arguments", {{"seconds", 0.1}}}}))["result"];
  EXPECT_EQ(created["resultType"], "task");
  EXPECT_TRUE(created["ttlMs"].is_number_integer());
  EXPECT_FALSE(created.contains("task"));
  std::string id = created["taskId"];
  Json sync = client_.Request(
      2, "tools/call",
      Stateless({{"name", "slow_compute"}, {"arguments", {{"seconds", 0}}}}, false))["result"];
  EXPECT_EQ(sync["resultType"], "complete");
  EXPECT_TRUE(sync.contains("content"));
  Json required = client_.Request(3, "tools/call", Stateless({{"name", "failing_job"}}, false));
  EXPECT_EQ(required["error"]["code"], jsonrpc::kMissingClientCapability);
  EXPECT_TRUE(required["error"]["data"]["requiredCapabilities"]["extensions"].contains(kTasksExtension));
  EXPECT_EQ(client_.Request(4, "tasks/get", Stateless({{"taskId", id}}, false))["error"]["code"],
            jsonrpc::kMissingClientCapability);
  EXPECT_EQ(client_.Request(5, "tasks/result", Stateless({{"taskId", id}}))["error"]["code"],
            jsonrpc::kMethodNotFound);
  EXPECT_EQ(client_.Request(6, "tasks/list", Stateless(Json::object()))["error"]["code"],
            jsonrpc::kMethodNotFound);
}

TEST_F(SessionTasksExtensionTest, InputRequestsAreAnsweredWithTasksUpdate) {
  Json created = client_.Request(
      1, "tools/call", Stateless({{"name", "confirm_delete"}, {"arguments", {{"filename", "a"}}}}))["result"];
  std::string id = created["taskId"];
  Json got = PollUntil(id, "input_required");
  ASSERT_TRUE(got["inputRequests"].contains("confirm"));
  Json ack =
      client_.Request(2, "tasks/update",
                      Stateless({{"taskId", id}, {"inputResponses", {{"confirm", {{"action", "accept"}}}}}}));
  EXPECT_EQ(ack["result"], Json({{"resultType", "complete"}}));
  got = PollUntil(id, "completed");
  EXPECT_EQ(got["result"]["content"][0]["text"], "Deleted a");
}

TEST_F(SessionTasksExtensionTest, ListenSendsNotificationsForTheCallersTasks) {
  Json created = client_.Request(
      1, "tools/call", Stateless({{"name", "slow_compute"}, {"arguments", {{"seconds", 60}}}}))["result"];
  std::string id = created["taskId"];
  client_.session().HandleMessage(
      Json{{"jsonrpc", "2.0"},
           {"id", "listen"},
           {"method", "subscriptions/listen"},
           {"params", Stateless({{"notifications", {{"taskIds", {id, "someone-elses"}}}}})}});
  auto acks = client_.sink().WithMethod("notifications/subscriptions/acknowledged");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].message["params"]["notifications"]["taskIds"], Json::array({id}));
  EXPECT_EQ(client_.Request(2, "tasks/cancel", Stateless({{"taskId", id}}))["result"],
            Json({{"resultType", "complete"}}));
  auto notes = client_.sink().WithMethod("notifications/tasks");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].message["params"]["taskId"], id);
  EXPECT_EQ(notes[0].message["params"]["status"], "cancelled");
  EXPECT_EQ(notes[0].related, "listen");
  client_.session().Cancel("listen");
  // Idempotent: cancelling an ended task is acknowledged too.
  EXPECT_EQ(client_.Request(3, "tasks/cancel", Stateless({{"taskId", id}}))["result"],
            Json({{"resultType", "complete"}}));
}

}  // namespace
}  // namespace lmcp::mcp

#include "catalog/input_required.h"

#include <gtest/gtest.h>

namespace lmcp::catalog {
namespace {

using Json = nlohmann::json;

ResultContext Ctx(bool stateless = true, bool compat = false) {
  ResultContext c;
  c.tool = "delete_file";
  c.function = "mcp-delete-file";
  c.protocol_version = stateless ? "2026-07-28" : "2025-11-25";
  c.stateless = stateless;
  c.compat_reference = compat;
  return c;
}

InvokeResponse Payload(std::string p, std::string function_error = "") {
  InvokeResponse r;
  r.payload = std::move(p);
  r.function_error = std::move(function_error);
  return r;
}

const char* kConfirm = R"({"resultType":"input_required",
  "inputRequests":{"confirm":{"method":"elicitation/create","params":{"message":"Delete a.txt?",
    "requestedSchema":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}}}},
  "requestState":{"path":"a.txt","step":1}})";

TEST(InputRequiredTest, RecognisedOnlyByResultType) {
  EXPECT_TRUE(IsInputRequiredPayload(Json::parse(kConfirm)));
  EXPECT_FALSE(IsInputRequiredPayload(Json::parse(R"({"resultType":"complete"})")));
  EXPECT_FALSE(IsInputRequiredPayload(Json::parse(R"({"inputRequests":{}})")));
  EXPECT_FALSE(IsInputRequiredPayload(Json::parse(R"(["input_required"])")));
  EXPECT_FALSE(IsInputRequiredPayload(Json::parse(R"("input_required")")));
}

TEST(InputRequiredTest, MapsToInputRequiredInTheStatelessEra) {
  for (bool compat : {false, true}) {
    mcp::ToolResult r = MapInvokeResponse(Payload(kConfirm), Ctx(true, compat));
    ASSERT_TRUE(r.input_required) << compat;
    EXPECT_FALSE(r.is_error);
    EXPECT_EQ(r.input_required->input_requests["confirm"]["method"], "elicitation/create");
    EXPECT_EQ(r.input_required->state, Json::parse(R"({"path":"a.txt","step":1})"));
  }
  // A state alone (load shedding: "retry later") and requests without a state are both fine.
  mcp::ToolResult state_only =
      MapInvokeResponse(Payload(R"({"resultType":"input_required","requestState":"again"})"), Ctx());
  ASSERT_TRUE(state_only.input_required);
  EXPECT_TRUE(state_only.input_required->input_requests.empty());
  mcp::ToolResult roots = MapInvokeResponse(
      Payload(R"({"resultType":"input_required","inputRequests":{"r":{"method":"roots/list"}}})"), Ctx());
  ASSERT_TRUE(roots.input_required);
  EXPECT_TRUE(roots.input_required->state.is_null());
}

TEST(InputRequiredTest, MalformedResultsAreToolErrors) {
  const char* bad[] = {
      R"({"resultType":"input_required"})",
      R"({"resultType":"input_required","inputRequests":[]})",
      R"({"resultType":"input_required","inputRequests":{"x":{"method":"tools/call","params":{}}}})",
      R"({"resultType":"input_required","inputRequests":{"x":{"method":"elicitation/create"}}})",
      R"({"resultType":"input_required","inputRequests":{"x":{"method":"roots/list","params":[]}}})",
      R"({"resultType":"input_required","inputRequests":{"x":"elicitation/create"}})",
  };
  for (const char* payload : bad) {
    mcp::ToolResult r = MapInvokeResponse(Payload(payload), Ctx());
    EXPECT_FALSE(r.input_required) << payload;
    EXPECT_TRUE(r.is_error) << payload;
    EXPECT_NE(r.content[0]["text"].get<std::string>().find("mcp-delete-file"), std::string::npos);
  }
}

TEST(InputRequiredTest, The2025EraGetsAnErrorNamingTheRevision) {
  mcp::ToolResult r = MapInvokeResponse(Payload(kConfirm), Ctx(false));
  EXPECT_FALSE(r.input_required);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      r.content[0]["text"],
      "Lambda function mcp-delete-file asks the client for input (elicitation/create), which lambda-mcp "
      "passes on only to clients that speak MCP 2026-07-28; this client uses 2025-11-25. The function "
      "did not finish.");
}

TEST(InputRequiredTest, AFunctionErrorIsNeverAnInputRequest) {
  mcp::ToolResult r = MapInvokeResponse(Payload(kConfirm, "Unhandled"), Ctx());
  EXPECT_FALSE(r.input_required);
  EXPECT_TRUE(r.is_error);
}

TEST(InputRequiredTest, OrdinaryResultsMentioningItStayOrdinary) {
  mcp::ToolResult r = MapInvokeResponse(Payload(R"({"status":"input_required"})"), Ctx(true, true));
  EXPECT_FALSE(r.input_required);
  EXPECT_FALSE(r.is_error);
  EXPECT_NE(r.content[0]["text"].get<std::string>().find("input_required"), std::string::npos);
}

TEST(InputRequiredTest, EventWithInputAddsTheReservedMember) {
  Json event =
      EventWithInput(Json{{"path", "a.txt"}}, Json{{"confirm", {{"action", "accept"}}}}, Json{{"step", 1}});
  EXPECT_EQ(event, Json::parse(R"({"path":"a.txt","_mcp":{"inputResponses":{"confirm":{"action":"accept"}},
                                   "requestState":{"step":1}}})"));
  EXPECT_EQ(EventWithInput(Json::object(), Json{{"k", 1}}, nullptr),
            Json::parse(R"({"_mcp":{"inputResponses":{"k":1}}})"));
}

}  // namespace
}  // namespace lmcp::catalog

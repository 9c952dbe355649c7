#include "jsonrpc/message.h"

#include <gtest/gtest.h>

#include "jsonrpc/error_codes.h"

namespace lmcp::jsonrpc {
namespace {

Message Ok(const Json& value) {
  auto r = Classify(value);
  EXPECT_TRUE(std::holds_alternative<Message>(r)) << value.dump();
  return std::holds_alternative<Message>(r) ? std::get<Message>(r) : Message{};
}

Invalid Bad(const Json& value) {
  auto r = Classify(value);
  EXPECT_TRUE(std::holds_alternative<Invalid>(r)) << value.dump();
  return std::holds_alternative<Invalid>(r) ? std::get<Invalid>(r) : Invalid{};
}

TEST(ParseJsonTest, MalformedTextIsParseErrorWithNullId) {
  auto r = ParseJson("{\"jsonrpc\":\"2.0\",");
  ASSERT_TRUE(std::holds_alternative<Invalid>(r));
  EXPECT_EQ(std::get<Invalid>(r).error.code, kParseError);
  EXPECT_TRUE(std::get<Invalid>(r).id.is_null());
}

TEST(ParseJsonTest, InvalidUtf8IsParseError) {
  auto r = ParseJson("\"\xff\xfe\"");
  ASSERT_TRUE(std::holds_alternative<Invalid>(r));
  EXPECT_EQ(std::get<Invalid>(r).error.code, kParseError);
}

TEST(ParseJsonTest, ValidTextParses) {
  auto r = ParseJson(R"({"a":[1,2]})");
  ASSERT_TRUE(std::holds_alternative<Json>(r));
  EXPECT_EQ(std::get<Json>(r)["a"][1], 2);
}

TEST(ParseJsonTest, OverDeepTextIsParseErrorWithNullId) {
  // Issue 12's crash: initialize whose params are nested 58,750 levels deep.
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":)" + std::string(58'750, '[') +
                     std::string(58'750, ']') + "}";
  auto r = ParseJson(deep);
  ASSERT_TRUE(std::holds_alternative<Invalid>(r));
  EXPECT_EQ(std::get<Invalid>(r).error.code, kParseError);
  EXPECT_EQ(std::get<Invalid>(r).error.message, "Parse error: JSON is nested deeper than 128 levels");
  EXPECT_TRUE(std::get<Invalid>(r).id.is_null());
}

TEST(ParseJsonTest, AMessageAtTheDepthLimitParses) {
  // The message object is level 1, so its params may hold 127 more levels.
  std::string text = R"({"jsonrpc":"2.0","id":1,"method":"m","params":)" + std::string(127, '[') +
                     std::string(127, ']') + "}";
  EXPECT_TRUE(std::holds_alternative<Json>(ParseJson(text)));
  text = R"({"jsonrpc":"2.0","id":1,"method":"m","params":)" + std::string(128, '[') + std::string(128, ']') +
         "}";
  EXPECT_TRUE(std::holds_alternative<Invalid>(ParseJson(text)));
}

TEST(ClassifyTest, MovesParamsOutOfTheValue) {
  Json value{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "m"}, {"params", {{"big", std::string(1000, 'x')}}}};
  const void* before = &value["params"]["big"].get_ref<const std::string&>();
  auto r = Classify(std::move(value));
  ASSERT_TRUE(std::holds_alternative<Message>(r));
  const Message& m = std::get<Message>(r);
  // The same string object, not a copy of it.
  EXPECT_EQ(static_cast<const void*>(&m.params["big"].get_ref<const std::string&>()), before);
}

TEST(ClassifyTest, RequestKeepsIdType) {
  Message m = Ok({{"jsonrpc", "2.0"}, {"id", "7"}, {"method", "ping"}});
  EXPECT_EQ(m.kind, MessageKind::kRequest);
  EXPECT_TRUE(m.id.is_string());
  Message n = Ok({{"jsonrpc", "2.0"}, {"id", 7}, {"method", "ping"}, {"params", {{"x", 1}}}});
  EXPECT_TRUE(n.id.is_number_integer());
  EXPECT_EQ(n.params["x"], 1);
}

TEST(ClassifyTest, NotificationHasNoId) {
  Message m = Ok({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  EXPECT_EQ(m.kind, MessageKind::kNotification);
  EXPECT_TRUE(m.id.is_null());
}

TEST(ClassifyTest, Responses) {
  Message r = Ok({{"jsonrpc", "2.0"}, {"id", 3}, {"result", {{"ok", true}}}});
  EXPECT_EQ(r.kind, MessageKind::kResponse);
  EXPECT_EQ(r.result["ok"], true);
  Message e = Ok({{"jsonrpc", "2.0"}, {"id", 3}, {"error", {{"code", -32000}, {"message", "no"}}}});
  ASSERT_TRUE(e.error.has_value());
  EXPECT_EQ(e.error->code, -32000);
  EXPECT_EQ(e.error->message, "no");
}

TEST(ClassifyTest, InvalidShapesAreInvalidRequest) {
  EXPECT_EQ(Bad(Json::array()).error.code, kInvalidRequest);
  EXPECT_EQ(Bad(42).error.code, kInvalidRequest);
  EXPECT_EQ(Bad({{"id", 1}, {"method", "ping"}}).error.code, kInvalidRequest);  // no jsonrpc
  EXPECT_EQ(Bad({{"jsonrpc", "1.0"}, {"id", 1}, {"method", "ping"}}).error.code, kInvalidRequest);  // wrong
  EXPECT_EQ(Bad({{"jsonrpc", "2.0"}, {"id", 1}, {"method", 5}}).error.code, kInvalidRequest);
  EXPECT_EQ(Bad({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "x"}, {"params", 3}}).error.code, kInvalidRequest);
  EXPECT_EQ(Bad({{"jsonrpc", "2.0"}, {"id", 1}, {"result", 1}, {"error", {}}}).error.code, kInvalidRequest);
}

TEST(ClassifyTest, MissingMethodEchoesTheId) {
  Invalid bad = Bad({{"jsonrpc", "2.0"}, {"id", "abc"}});
  EXPECT_EQ(bad.error.code, kInvalidRequest);
  EXPECT_EQ(bad.id, "abc");
}

TEST(ClassifyTest, BadIdsAreRejectedWithNullId) {
  for (const Json& id : {Json(nullptr), Json(1.5), Json::object(), Json::array(), Json(true)}) {
    Invalid bad = Bad({{"jsonrpc", "2.0"}, {"id", id}, {"method", "ping"}});
    EXPECT_EQ(bad.error.code, kInvalidRequest) << id.dump();
    EXPECT_TRUE(bad.id.is_null()) << id.dump();
  }
}

TEST(BuildTest, ResultAndErrorShapes) {
  EXPECT_EQ(MakeResult("x", Json::object()), Json::parse(R"({"jsonrpc":"2.0","id":"x","result":{}})"));
  EXPECT_EQ(MakeError(nullptr, RpcError::ParseError("bad")),
            Json::parse(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})"));
  RpcError with_data = RpcError::InvalidParams("p");
  with_data.data = {{"field", "name"}};
  EXPECT_EQ(MakeError(1, with_data)["error"]["data"]["field"], "name");
  EXPECT_EQ(MakeNotification("n"), Json::parse(R"({"jsonrpc":"2.0","method":"n"})"));
  EXPECT_EQ(MakeRequest(2, "m", {{"a", 1}})["params"]["a"], 1);
}

TEST(BuildTest, EveryErrorCode) {
  EXPECT_EQ(RpcError::ParseError("").code, -32700);
  EXPECT_EQ(RpcError::InvalidRequest("").code, -32600);
  EXPECT_EQ(RpcError::MethodNotFound("").code, -32601);
  EXPECT_EQ(RpcError::InvalidParams("").code, -32602);
  EXPECT_EQ(RpcError::Internal("").code, -32603);
  EXPECT_EQ(RpcError::TransportError("").code, -32000);
  EXPECT_EQ(RpcError::SessionNotFound().code, -32001);
  EXPECT_STREQ(ErrorCodeName(-32601), "Method not found");
  EXPECT_STREQ(ErrorCodeName(-32000), "Server error");
}

// The one table: every code's value on the wire and its default message.
TEST(ErrorCodeTest, EveryCodeHasItsValueAndDefaultMessage) {
  struct Row {
    ErrorCode code;
    int value;
    const char* name;
  };
  const Row rows[] = {
      {kParseError, -32700, "Parse error"},
      {kInvalidRequest, -32600, "Invalid Request"},
      {kMethodNotFound, -32601, "Method not found"},
      {kInvalidParams, -32602, "Invalid params"},
      {kInternalError, -32603, "Internal error"},
      {kTransportError, -32000, "Server error"},
      {kSessionNotFound, -32001, "Session not found"},
      {kHeaderMismatch, -32020, "Header mismatch"},
      {kMissingClientCapability, -32021, "Missing required client capability"},
      {kUnsupportedProtocolVersion, -32022, "Unsupported protocol version"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(static_cast<int>(row.code), row.value);
    EXPECT_STREQ(ErrorCodeName(row.code), row.name) << row.value;
  }
  EXPECT_STREQ(ErrorCodeName(-32099), "Server error");
  EXPECT_STREQ(ErrorCodeName(0), "Server error");
  EXPECT_EQ(RpcError::SessionNotFound().message, "Session not found");
}

// MCP 2026-07-28's errors carry the data the schema requires.
TEST(ErrorCodeTest, StatelessEraErrorData) {
  RpcError missing = RpcError::MissingClientCapability(Json{{"sampling", Json::object()}});
  EXPECT_EQ(missing.code, -32021);
  EXPECT_EQ(missing.data, Json::parse(R"({"requiredCapabilities":{"sampling":{}}})"));
  EXPECT_NE(missing.message.find("sampling"), std::string::npos);
  RpcError unsupported = RpcError::UnsupportedProtocolVersion({"2026-07-28"}, "v999");
  EXPECT_EQ(unsupported.code, -32022);
  EXPECT_EQ(unsupported.data, Json::parse(R"({"supported":["2026-07-28"],"requested":"v999"})"));
  EXPECT_EQ(RpcError::HeaderMismatch("Mcp-Method").code, -32020);
}

// The transports' error bodies: id null, keys in nlohmann's (sorted) order, byte for byte.
TEST(ErrorCodeTest, TransportErrorBodyBytes) {
  EXPECT_EQ(Serialize(MakeError(nullptr, RpcError::TransportError("Not Found"))),
            R"({"error":{"code":-32000,"message":"Not Found"},"id":null,"jsonrpc":"2.0"})");
  EXPECT_EQ(Serialize(MakeError(nullptr, RpcError::SessionNotFound())),
            R"({"error":{"code":-32001,"message":"Session not found"},"id":null,"jsonrpc":"2.0"})");
  // A message that needs escaping stays valid JSON.
  EXPECT_EQ(
      Json::parse(Serialize(MakeError(nullptr, RpcError::TransportError("a \"b\"\n"))))["error"]["message"],
      "a \"b\"\n");
}

TEST(ErrorCodeTest, MessageTooLarge) {
  RpcError e = RpcError::MessageTooLarge(9000, 8192);
  EXPECT_EQ(e.code, kInvalidRequest);
  EXPECT_EQ(e.message, "Invalid Request: message of 9000 bytes exceeds the limit of 8192 bytes");
}

TEST(EnvelopeTest, AcceptsTheThreeShapes) {
  EXPECT_TRUE(IsEnvelope(Json::parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")));
  EXPECT_TRUE(IsEnvelope(Json::parse(R"({"jsonrpc":"2.0","id":"a","method":"ping","params":{}})")));
  EXPECT_TRUE(IsEnvelope(Json::parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")));
  EXPECT_TRUE(IsEnvelope(Json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})")));
  EXPECT_TRUE(IsEnvelope(Json::parse(R"({"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"x"}})")));
}

TEST(EnvelopeTest, RefusesWhatIsNoJsonRpcMessage) {
  for (const char* text :
       {R"([])", R"("ping")", R"({})", R"({"id":1,"method":"ping"})",
        R"({"jsonrpc":"1.0","id":1,"method":"p"})", R"({"jsonrpc":2.0,"id":1,"method":"p"})",
        R"({"jsonrpc":"2.0","id":1.5,"method":"p"})", R"({"jsonrpc":"2.0","id":null,"method":"p"})",
        R"({"jsonrpc":"2.0","id":{},"method":"p"})", R"({"jsonrpc":"2.0","id":1,"method":7})",
        R"({"jsonrpc":"2.0","id":1})", R"({"jsonrpc":"2.0","result":{}})"}) {
    EXPECT_FALSE(IsEnvelope(Json::parse(text))) << text;
  }
}

// The envelope is what a transport checks before routing; Classify then says what else is wrong, under the
// request's id, so those answers reach the request's own stream.
TEST(EnvelopeTest, IsLooserThanClassify) {
  for (const char* text : {R"({"jsonrpc":"2.0","id":3,"method":"ping","params":5})",
                           R"({"jsonrpc":"2.0","id":3,"result":{},"error":{}})"}) {
    Json m = Json::parse(text);
    EXPECT_TRUE(IsEnvelope(m)) << text;
    Invalid bad = Bad(m);
    EXPECT_EQ(bad.error.code, kInvalidRequest);
    EXPECT_EQ(bad.id, 3);
  }
}

TEST(EnvelopeTest, RequestAndResponseShapes) {
  Json request = Json::parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  Json notification = Json::parse(R"({"jsonrpc":"2.0","method":"n"})");
  Json result = MakeResult(1, Json::object());
  Json error = MakeError(nullptr, RpcError::ParseError("x"));
  EXPECT_TRUE(IsRequest(request));
  EXPECT_FALSE(IsRequest(notification));
  EXPECT_FALSE(IsRequest(result));
  EXPECT_FALSE(IsRequest(Json::array()));
  EXPECT_TRUE(IsResponse(result));
  EXPECT_TRUE(IsResponse(error));  // id null still answers
  EXPECT_FALSE(IsResponse(request));
  EXPECT_FALSE(IsResponse(notification));
  EXPECT_TRUE(IsSuccessResponse(result));
  EXPECT_FALSE(IsSuccessResponse(error));
  EXPECT_FALSE(IsSuccessResponse(request));
}

TEST(SerializeTest, OneLineAndInvalidUtf8Replaced) {
  std::string s = Serialize(Json{{"text", "a\nb"}, {"bad", std::string("\xff")}});
  EXPECT_EQ(s.find('\n'), std::string::npos);
  EXPECT_NE(s.find("\\n"), std::string::npos);
}

TEST(IdKeyTest, KeepsType) {
  EXPECT_NE(IdKey(1), IdKey("1"));
  EXPECT_EQ(IdKey(1), IdKey(1));
}

TEST(IdKeyTest, StringAndNumberIdsNeverCollide) {
  EXPECT_EQ(IdKey("abc"), IdKey(Json("abc")));
  EXPECT_NE(IdKey("abc"), IdKey("abd"));
  EXPECT_NE(IdKey(""), IdKey(0));
  EXPECT_NE(IdKey(-1), IdKey(1));
  EXPECT_NE(IdKey("i:1"), IdKey(1));  // a string spelled like another id's key
  EXPECT_NE(IdKey("\"1\""), IdKey("1"));
  EXPECT_EQ(IdKey(Json(9007199254740993LL)), IdKey(Json(9007199254740993LL)));
  EXPECT_NE(IdKey(Json(9007199254740993LL)), IdKey(Json(9007199254740992LL)));
  // The same id read from the wire keys like the one the core echoes back.
  EXPECT_EQ(IdKey(Json::parse(R"({"id":7})")["id"]), IdKey(7));
  EXPECT_EQ(IdKey(Json::parse(R"({"id":"7"})")["id"]), IdKey("7"));
}

}  // namespace
}  // namespace lmcp::jsonrpc

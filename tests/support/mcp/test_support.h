#pragma once
// Test helpers for the mcp layer: a sink that records and lets tests wait for messages, a scriptable fake
// ToolProvider, and a TestClient that drives one Session. Test-only; thread-safe where the core calls in.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "mcp/server.h"
#include "mcp/session.h"
#include "mcp/tool_provider.h"

namespace lmcp::mcp::testing {

// Every wait fails the test after this long; it bounds a hang, it is not a timing assertion.
inline constexpr auto kWaitLimit = std::chrono::seconds(20);

class RecordingSink final : public MessageSink {
 public:
  struct Sent {
    Json message;
    Json related;
  };

  void Send(const Json& message, const Json& related) override {
    std::lock_guard lock(mu_);
    sent_.push_back({message, related});
    cv_.notify_all();
  }
  void RequestEnded(const Json& id) override {
    std::lock_guard lock(mu_);
    ended_.push_back(id);
    cv_.notify_all();
  }

  // Waits until `pred(sent, ended)` holds; false after kWaitLimit.
  bool WaitUntil(const std::function<bool(const std::vector<Sent>&, const std::vector<Json>&)>& pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWaitLimit, [&] { return pred(sent_, ended_); });
  }
  // The response to `id` (a message with that id and a result or error), waiting for it.
  std::optional<Json> WaitResponse(const Json& id) {
    std::optional<Json> found;
    WaitUntil([&](const std::vector<Sent>& sent, const std::vector<Json>&) {
      for (const Sent& s : sent) {
        if (s.message.is_object() && s.message.contains("id") && s.message["id"] == id &&
            (s.message.contains("result") || s.message.contains("error")) &&
            s.message["id"].is_string() == id.is_string()) {
          found = s.message;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  bool WaitEnded(const Json& id) {
    return WaitUntil([&](const std::vector<Sent>&, const std::vector<Json>& ended) {
      for (const Json& e : ended) {
        if (e == id) {
          return true;
        }
      }
      return false;
    });
  }
  std::vector<Sent> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  // Messages with this method (notifications or server→client requests).
  std::vector<Sent> WithMethod(const std::string& method) {
    std::lock_guard lock(mu_);
    std::vector<Sent> out;
    for (const Sent& s : sent_) {
      if (s.message.is_object() && s.message.value("method", "") == method) {
        out.push_back(s);
      }
    }
    return out;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    sent_.clear();
    ended_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Sent> sent_;
  std::vector<Json> ended_;
};

// Tools by name: echo, fail, provider_error, throw, block (waits for Release(gate) or cancellation),
// progress, log, sample, rich (every content type + structuredContent), plus `extra_tools` plain ones.
class FakeProvider final : public ToolProvider {
 public:
  explicit FakeProvider(int extra_tools = 0) {
    auto tools = std::make_shared<std::vector<ToolDefinition>>();
    for (const char* name :
         {"echo", "fail", "provider_error", "throw", "block", "progress", "log", "sample"}) {
      ToolDefinition t;
      t.name = name;
      t.description = std::string("fake ") + name;
      tools->push_back(t);
    }
    ToolDefinition rich;
    rich.name = "rich";
    rich.title = "Rich Tool";
    rich.description = "every content type";
    rich.output_schema = Json{{"type", "object"}, {"properties", {{"n", {{"type", "integer"}}}}}};
    rich.annotations = Json{{"title", "Rich"}, {"readOnlyHint", true}};
    rich.icons = Json::array({Json{{"src", "https://example.com/i.png"}}});
    rich.meta = Json{{"k", "v"}};
    tools->push_back(rich);
    for (int i = 0; i < extra_tools; ++i) {
      ToolDefinition t;
      t.name = "extra_" + std::to_string(i);
      t.description = "extra";
      tools->push_back(t);
    }
    tools_ = std::move(tools);
  }

  Result<ToolList> ListTools() override { return tools_; }

  void SetListChangedCallback(std::function<void()> callback) override {
    std::lock_guard lock(mu_);
    list_changed_ = std::move(callback);
  }
  void FireListChanged() {
    std::function<void()> cb;
    {
      std::lock_guard lock(mu_);
      cb = list_changed_;
    }
    cb();
  }

  void Release(int gate) {
    std::lock_guard lock(mu_);
    released_.insert(gate);
    cv_.notify_all();
  }
  bool WaitStarted(int count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWaitLimit, [&] { return started_ >= count; });
  }
  int cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

  Result<ToolResult> CallTool(const std::string& name, Json arguments, CallContext& ctx) override {
    if (name == "echo") {
      return ToolResult::Text(arguments.dump());
    }
    if (name == "fail") {
      return ToolResult::Text("it broke", true);
    }
    if (name == "provider_error") {
      return Error::Unavailable("backend down");
    }
    if (name == "throw") {
      throw std::runtime_error("bug");
    }
    if (name == "block") {
      int gate = arguments.value("gate", 0);
      std::unique_lock lock(mu_);
      ++started_;
      cv_.notify_all();
      std::condition_variable_any& cv = cv_;
      bool released = cv.wait(lock, ctx.stop_token(), [&] { return released_.count(gate) > 0; });
      if (!released) {
        ++cancelled_;
        return Error::Cancelled("stopped");
      }
      return ToolResult::Text("released " + std::to_string(gate));
    }
    if (name == "progress") {
      ctx.Progress(1, 3, "one");
      ctx.Progress(1, 3, "again");  // not increasing: dropped
      ctx.Progress(2, 3);
      ctx.Progress(0.5, 3);  // decreasing: dropped
      return ToolResult::Text("done");
    }
    if (name == "log") {
      ctx.Log(LogLevel::kDebug, "d");
      ctx.Log(LogLevel::kInfo, "i", "fake");
      ctx.Log(LogLevel::kError, Json{{"e", 1}});
      return ToolResult::Text("logged");
    }
    if (name == "sample") {
      auto r = ctx.RequestClient("sampling/createMessage", {{"messages", Json::array()}, {"maxTokens", 5}});
      if (!r.ok()) {
        return ToolResult::Text("no sampling: " + r.error().message, true);
      }
      return ToolResult::Text("LLM: " + (*r)["content"]["text"].get<std::string>());
    }
    if (name == "rich") {
      ToolResult r;
      r.content = Json::array({
          Json{{"type", "text"}, {"text", "t"}},
          Json{{"type", "audio"}, {"data", "AAAA"}, {"mimeType", "audio/wav"}},
          Json{{"type", "resource_link"}, {"uri", "file:///x"}, {"name", "x"}},
      });
      r.structured_content = Json{{"n", 1}};
      return r;
    }
    if (name.rfind("extra_", 0) == 0) {
      return ToolResult::Text(name);
    }
    return Error::NotFound(name);
  }

 private:
  ToolList tools_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::set<int> released_;
  int started_ = 0;
  int cancelled_ = 0;
  std::function<void()> list_changed_;
};

// One server + session + sink, with request helpers.
class TestClient {
 public:
  explicit TestClient(ToolProvider& provider, ServerOptions options = {}, SessionOptions session_options = {})
      : server_(provider, options), session_(server_.CreateSession(sink_, std::move(session_options))) {}

  Json Request(const Json& id, const std::string& method, Json params = nullptr) {
    Json m{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) {
      m["params"] = std::move(params);
    }
    session_->HandleMessage(std::move(m));
    auto response = sink_.WaitResponse(id);
    EXPECT_TRUE(response.has_value()) << "no response to " << method;
    return response.value_or(Json());
  }
  void Notify(const std::string& method, Json params = nullptr) {
    Json m{{"jsonrpc", "2.0"}, {"method", method}};
    if (!params.is_null()) {
      m["params"] = std::move(params);
    }
    session_->HandleMessage(std::move(m));
  }
  // initialize + notifications/initialized; returns the initialize result.
  Json Initialize(const std::string& version = "2025-11-25", Json capabilities = Json::object()) {
    Json r = Request("init", "initialize",
                     {{"protocolVersion", version},
                      {"capabilities", std::move(capabilities)},
                      {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    Notify("notifications/initialized");
    return r.value("result", Json());
  }
  Json Call(const Json& id, const std::string& tool, Json arguments = Json::object(), Json meta = nullptr) {
    Json params{{"name", tool}, {"arguments", std::move(arguments)}};
    if (!meta.is_null()) {
      params["_meta"] = std::move(meta);
    }
    return Request(id, "tools/call", std::move(params));
  }

  McpServer& server() { return server_; }
  Session& session() { return *session_; }
  RecordingSink& sink() { return sink_; }

 private:
  RecordingSink sink_;  // outlives the session
  McpServer server_;
  std::unique_ptr<Session> session_;
};

}  // namespace lmcp::mcp::testing

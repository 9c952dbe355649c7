#pragma once
// The seam between the MCP core and whatever supplies tools: the Lambda catalog in production, the
// conformance fixtures in tests. The core never includes AWS or HTTP headers; providers never see JSON-RPC.
// Implementations must be safe to call from many threads at once.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "common/async.h"
#include "common/result.h"
#include "mcp/identity.h"

namespace lmcp::mcp {

using Json = nlohmann::json;

// MCP log levels in increasing severity (RFC 5424 names).
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };
const char* LogLevelName(LogLevel level);
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// Whether a tool runs as an MCP task (execution.taskSupport): never, when the client can take a task, or
// only as one (a client that cannot take tasks is refused).
enum class TaskSupport { kForbidden, kOptional, kRequired };
const char* TaskSupportName(TaskSupport support);  // "forbidden", "optional", "required"
std::optional<TaskSupport> ParseTaskSupport(std::string_view name);

// One tool as listed by tools/list. The core drops fields the negotiated protocol version lacks
// (title and output_schema before 2025-06-18, icons before 2025-11-25).
struct ToolDefinition {
  std::string name;   // unique; <= 64 chars of [A-Za-z0-9_.-]
  std::string title;  // empty = omitted
  std::string description;
  Json input_schema = Json{{"type", "object"}};  // always an object schema
  std::optional<Json> output_schema;
  Json annotations;  // null = omitted; else {readOnlyHint, ...}
  Json meta;         // null = omitted; else the tool's _meta
  Json icons;        // null = omitted; else [{src, mimeType?, sizes?, theme?}] (2025-11-25+)
  // Client capabilities a call needs ({"sampling": {}}); null = none. In the stateless era a call from a
  // client that did not declare one of them is refused with -32021 before the tool runs. Never rendered.
  Json required_client_capabilities;
  // Task execution (2025-11-25 tasks, the 2026-07-28 io.modelcontextprotocol/tasks extension); rendered as
  // execution.taskSupport where the era has it.
  TaskSupport task_support = TaskSupport::kForbidden;
  // The tool asks for input (MRTR) before its long work: a call without inputResponses runs synchronously
  // and only its retry with the answers becomes a task (the 2026-07-28 extension's MRTR composition).
  bool input_before_task = false;
};

// An immutable snapshot of the tool list; providers swap in a new one when the set changes.
using ToolList = std::shared_ptr<const std::vector<ToolDefinition>>;
// The tool named `name` in `tools`, or nullptr.
const ToolDefinition* FindTool(const std::vector<ToolDefinition>& tools, const std::string& name);

// A call that needs input from the client before it can finish (MCP 2026-07-28 multi round-trip requests):
// the core answers with an input-required result, and the client retries the call with the responses.
struct InputRequired {
  // Key → {method, params}: elicitation/create, sampling/createMessage or roots/list. The core refuses the
  // call with -32021 when the client did not declare the capability a request needs.
  Json input_requests = Json::object();
  // The tool's own state for the retry (any JSON; null = none). The core seals it into an opaque,
  // integrity-protected requestState bound to the principal, the tool, its arguments and an expiry, and
  // hands it back verified on the retry (CallContext::request_state); a tampered or foreign one never
  // reaches the tool.
  Json state;
};

// The outcome of a call that reached the tool: content blocks as MCP JSON (text, image, audio, resource,
// resource_link), optional structuredContent, and is_error for failures the model should see. The core
// strips blocks and fields the negotiated version does not know. With input_required set (stateless era
// only) the rest is ignored and the client is asked for input instead.
struct ToolResult {
  Json content = Json::array();
  std::optional<Json> structured_content;
  bool is_error = false;
  std::optional<InputRequired> input_required;

  static ToolResult Text(std::string text, bool is_error = false);
};

// What becomes of a call's result, for audit: set by the core, read by the tool (e.g. when it finishes).
enum class CallFate {
  kDeliver,     // the result goes to the client
  kCancelled,   // the client cancelled it (notifications/cancelled): stop requested, no response is sent
  kAbandoned,   // the server shut down first: stop requested, the client got -32603 "may have run"
  kClientGone,  // the transport can no longer deliver the result: the call goes on, its result is discarded
};

// What a running call may do besides returning. Given to CallTool by the core; valid until CallTool
// returns (CallToolAsync: until its coroutine ends). Thread-safe.
class CallContext {
 public:
  virtual ~CallContext() = default;
  // Requested when the client cancels the call or the session shuts down. Tools should stop promptly;
  // whatever they return after that is discarded.
  virtual std::stop_token stop_token() const = 0;
  // Why the result will not reach the client, if it will not. The default suits contexts without a
  // session (tests, `lambda-mcp tools`): a requested stop counts as the client's cancellation.
  virtual CallFate fate() const {
    return stop_token().stop_requested() ? CallFate::kCancelled : CallFate::kDeliver;
  }
  // Sends notifications/progress if the caller sent a progressToken; otherwise does nothing. Progress
  // values must increase; the core drops non-increasing ones and anything after the response.
  virtual void Progress(double progress, std::optional<double> total, std::string message = {}) = 0;
  // Sends notifications/message if `level` is at or above the session's logging/setLevel threshold.
  virtual void Log(LogLevel level, const Json& data, std::string logger = {}) = 0;
  virtual const std::string& protocol_version() const = 0;
  // Who is calling (mcp/identity.h): the session's identity, for policy, limits and audit.
  virtual const Identity& identity() const = 0;
  // The identity's name, for audit logs: "stdio", or the authenticated principal over HTTP.
  const std::string& principal() const { return identity().name; }
  // Sends a request to the client (sampling/createMessage, elicitation/create) and waits for its answer.
  // Fails with kFailedPrecondition when the client did not declare the capability, kCancelled on stop. In
  // the stateless era there are no server→client requests: it fails with kFailedPrecondition, and a tool
  // returns ToolResult::input_required instead.
  virtual Result<Json> RequestClient(const std::string& method, const Json& params) = 0;

  // The stateless era (2026-07-28): capabilities, log level and trace context come with each request.
  virtual bool stateless() const { return false; }
  // The request's params._meta (an object; empty when it had none). Carries traceparent/tracestate
  // (the HTTP transport copies those headers in when _meta lacks them).
  virtual const Json& request_meta() const {
    static const Json kEmpty = Json::object();
    return kEmpty;
  }
  // What the client declared (initialize's capabilities, or the request's _meta); an object.
  virtual const Json& client_capabilities() const {
    static const Json kEmpty = Json::object();
    return kEmpty;
  }
  // On a retry after input_required: the client's inputResponses (key → result; an object, possibly
  // missing keys the tool asked for) and the tool's verified state. Null when this is not a retry.
  virtual const Json& input_responses() const {
    static const Json kNull;
    return kNull;
  }
  virtual const Json& request_state() const {
    static const Json kNull;
    return kNull;
  }
  // The task this call runs for (MCP tasks: it outlives its request); empty for a plain call. For audit.
  virtual const std::string& task_id() const {
    static const std::string kNone;
    return kNone;
  }
};

class ToolProvider {
 public:
  virtual ~ToolProvider() = default;

  // The current tools in a stable order. May block until the first discovery finishes. An error (e.g.
  // discovery failed: no credentials) reaches the client as a JSON-RPC error whose message names the cause.
  virtual Result<ToolList> ListTools() = 0;
  // The tools `identity` may see and call: a subset of ListTools(), in the same order. The core lists these
  // to that caller and looks tools up in them (capability and header checks), so a tool hidden from a caller
  // is indistinguishable from an unknown one. Default: every tool.
  virtual Result<ToolList> ListToolsFor(const Identity& identity) {
    (void)identity;
    return ListTools();
  }
  // True while ListToolsFor may differ between callers (a policy is configured): the stateless era's
  // tools/list then says cacheScope "private". May change at runtime (a reloaded policy).
  virtual bool ListsDifferPerPrincipal() const { return false; }

  // Runs a tool. kNotFound → the client gets JSON-RPC -32602 (unknown tool); every other failure of the
  // tool itself (bad arguments, function error, timeout) must be returned as a ToolResult with is_error.
  // The arguments are the provider's: they arrive moved from the client's message, and a provider can free
  // them as soon as it no longer needs them (a call may wait minutes for its function).
  virtual Result<ToolResult> CallTool(const std::string& name, Json arguments, CallContext& ctx) = 0;
  // The same call as a coroutine (common/async.h), which the core awaits: a provider whose calls wait for
  // I/O overrides it so that a waiting call holds memory, not a thread, and ends on whichever thread its
  // I/O completes. `ctx` stays valid until the coroutine ends. Default: the blocking CallTool, run on the
  // thread that starts the call (the core's call threads), for providers that block.
  virtual Async<Result<ToolResult>> CallToolAsync(std::string name, Json arguments, CallContext& ctx) {
    co_return CallTool(name, std::move(arguments), ctx);
  }

  // Why a tools/call never reached CallTool (the function was not invoked).
  enum class NotInvoked {
    kRefused,       // over a call cap at arrival
    kQueueTimeout,  // waited longer than the call queue timeout
    kCancelled,     // the client cancelled it while it was queued
    kClientGone,    // the client was gone before it started
    kShutdown,      // the server shut down before it started
  };
  // For audit: a tools/call the core answered without calling CallTool. `request_meta` is its params._meta
  // (an object; trace context), `detail` says more (which cap). Called from any thread, without the core's
  // locks held. Default: nothing.
  virtual void CallNotInvoked(const std::string& name, const Json& arguments, const Json& request_meta,
                              const std::string& principal, NotInvoked why, const std::string& detail) {
    (void)name, (void)arguments, (void)request_meta, (void)principal, (void)why, (void)detail;
  }

  // Called (from any thread) whenever the tool set changes; the core then sends
  // notifications/tools/list_changed to every initialized session. Set once, before serving.
  virtual void SetListChangedCallback(std::function<void()> callback) = 0;
};

}  // namespace lmcp::mcp

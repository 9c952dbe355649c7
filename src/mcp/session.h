#pragma once
// The seam between the MCP core and its transports (stdio, Streamable HTTP). A transport creates one
// Session per client connection (stdio: one for the process; HTTP: one per Mcp-Session-Id), feeds it the
// client's messages, and delivers what the session sends through a MessageSink.
//
// Threading: HandleMessage may be called from any thread, concurrently. Requests other than tools/call are
// answered before HandleMessage returns; tools/call runs on the server's worker pool and answers later, so
// responses can arrive in any order. Sink calls for one session may come from several threads; a sink must
// deliver each message whole.

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "mcp/identity.h"
#include "mcp/session_ticket.h"

namespace lmcp::mcp {

using Json = nlohmann::json;

class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // One complete JSON-RPC message (or, for a batch, an array of responses). `related` is the id of the
  // client request this message belongs to (its progress, its log messages, its server→client requests,
  // its response), or null for unsolicited messages such as notifications/tools/list_changed. Over HTTP,
  // related messages go on that POST's SSE stream and unrelated ones on the GET stream.
  virtual void Send(const Json& message, const Json& related) = 0;
  // The request `id` has ended: its response was sent, or it was cancelled and no response will come.
  // Lets HTTP close that POST's stream. Called after the last Send for that id.
  virtual void RequestEnded(const Json& id) { (void)id; }
};

struct SessionOptions {
  std::string principal = "stdio";  // who is on the other end, for audit and caps; identity->name when set
  // Who is calling, handed to the tool provider with every list and call. Null: an identity named
  // `principal` with no scopes or claims.
  std::shared_ptr<const Identity> identity;
  std::string transport = "stdio";  // "stdio" or "http": HTTP rejects batches differently
  // HTTP's per-request sessions of the stateless era (MCP 2026-07-28): every request is served statelessly,
  // so one without _meta is refused (-32602) instead of asking for initialize.
  bool stateless_only = false;
};

class Session {
 public:
  virtual ~Session() = default;
  // Handles one raw message (a JSON object, or an array where the negotiated version allows batches).
  // Malformed input is answered with the right JSON-RPC error through the sink; never throws.
  // Errors for input without a usable id (parse errors, over-size or id-less invalid messages, rejected
  // batches) are sent with related = null, synchronously on the calling thread. An accepted batch is
  // answered with one array sent with related = the first request id in it, then RequestEnded per id.
  virtual void HandleRaw(std::string_view text) = 0;
  // Same, for an already parsed message (HTTP parses first to pick its status code). Parse it with
  // common/json.h's ParseJson (bounded depth) and pass it with std::move: the session moves the params
  // out of it instead of copying them.
  virtual void HandleMessage(Json message) = 0;
  // Empty until initialize succeeded.
  virtual std::string protocol_version() const = 0;
  virtual bool initialized() const = 0;
  // Continues a session that another replica (or an earlier life of this one) initialized: the state its
  // ticket carried (mcp/session_ticket.h) is taken as if initialize and notifications/initialized had been
  // received. kFailedPrecondition when this session is already initialized.
  virtual Status Resume(const SessionTicket& ticket) = 0;
  // The transport can no longer deliver the response to request `id` (its HTTP connection dropped, stdout
  // closed). A tools/call not yet started is dropped without invoking and gets no response; a running one
  // goes on, its result is discarded (no response), and the tool sees CallFate::kClientGone (the audit
  // outcome says so). RequestEnded(id) still follows once the call is over. Unknown or finished ids are
  // ignored. Safe from any thread, but not from inside MessageSink::Send.
  virtual void ClientGone(const Json& id) = 0;
  // ClientGone for every request in flight (the client itself is gone: stdio EOF with stdout closed, an
  // HTTP session deleted or expired).
  virtual void ClientGoneAll() = 0;
  // The client cancelled request `id`, as notifications/cancelled does (MCP 2026-07-28 over HTTP: its
  // response stream closed). A queued call is dropped without invoking, a running one is stopped; neither
  // gets a response. A subscriptions/listen ends. Unknown ids are ignored. Not from inside Send.
  virtual void Cancel(const Json& id) = 0;
  // Stops accepting work and answers every pending tools/call. Calls already accepted, queued or running,
  // may finish within `grace` and are answered with their result; when it ends, a call still queued is
  // answered -32603 "not invoked" and a running one -32603 "may have run" (the tool sees its stop requested
  // and CallFate::kAbandoned). Calls cancelled by the client or whose client is gone still get no response.
  // Returns once every response has been handed to the sink and no call runs any more (a tool that ignores
  // its stop token delays the return, not the responses). Idempotent.
  virtual void Shutdown(std::chrono::milliseconds grace) = 0;
};

}  // namespace lmcp::mcp

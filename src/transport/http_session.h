#pragma once
// Per-MCP-session state of the Streamable HTTP transport. HttpSession is the MessageSink of one
// mcp::Session: it routes each message the core sends to the SSE stream (or JSON body) of the POST that
// carried the related request, and unsolicited messages to the session's single GET stream. SseChannel is
// one stream's outbox; Exchange is one POST's collection point. All classes are thread-safe; sessions are
// shared (shared_ptr) between the registry and in-flight HTTP handlers.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "jsonrpc/message.h"
#include "mcp/session.h"

namespace lmcp::transport {

using Json = nlohmann::json;

// "event: message\ndata: <compact json>\n\n". Invalid UTF-8 is replaced, never thrown on.
std::string SseFrame(const Json& message);
// Request ids are routed by jsonrpc::IdKey (string and integer ids stay distinct).
using jsonrpc::IdKey;

class SseChannel {
 public:
  enum class Next { kFrame, kIdle, kClosed };
  // Queues a frame for the writer; dropped once the writer is gone.
  void Push(std::string frame);
  // No more frames: the writer drains the queue, then ends the stream.
  void Close();
  // The writer is gone (client disconnected or stream finished): further frames are dropped.
  void Abandon();
  // Writer side: waits up to `wait` for a frame. kIdle on timeout (send a keep-alive comment),
  // kClosed once closed and drained or abandoned.
  Next Pop(std::string* frame, std::chrono::milliseconds wait);
  bool abandoned() const;
  // An asynchronous writer's wake-up: called, without the channel's lock, after every Push, Close and
  // Abandon. Replaces the previous one; null removes it.
  void SetWaker(std::function<void()> wake);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> frames_;
  bool closed_ = false;
  bool abandoned_ = false;
  std::shared_ptr<std::function<void()>> waker_;

  void Wake();
};

// One POST that carried requests. Until Decide() it buffers what the session sends; afterwards it either
// was answered as JSON or streams through its channel, which closes once every request has ended.
class Exchange {
 public:
  explicit Exchange(std::vector<std::string> request_keys);

  void Deliver(const Json& message, const std::string& key);
  void End(const std::string& key);

  struct Decision {
    bool json = false;                    // answer with a JSON body (all requests ended, only responses)
    std::vector<Json> messages;           // the JSON body's messages when json
    std::shared_ptr<SseChannel> channel;  // the stream otherwise
  };
  // Called once by the POST handler after the session was given every message.
  Decision Decide();
  // The HTTP stream is gone: later messages are dropped.
  void Abandon();
  bool all_ended() const;

 private:
  mutable std::mutex mu_;
  std::set<std::string> open_;
  std::vector<Json> buffered_;
  bool decided_ = false;
  std::shared_ptr<SseChannel> channel_;
};

class HttpSession final : public mcp::MessageSink {
 public:
  HttpSession(std::string id, std::string principal, Clock& clock);
  ~HttpSession() override;

  // Installs the MCP session; called once right after construction.
  void Attach(std::unique_ptr<mcp::Session> session);
  mcp::Session& mcp() { return *session_; }

  const std::string& id() const { return id_; }
  const std::string& principal() const { return principal_; }

  // Routes the given request ids to `exchange` until they end. False if one of them is already in flight.
  bool Register(const std::vector<std::string>& keys, const std::shared_ptr<Exchange>& exchange);
  void Unregister(const std::vector<std::string>& keys, const Exchange* exchange);

  // At most one GET stream per session. A new GET replaces (closes) the previous one: a dropped connection
  // is only noticed on the next write, and a reconnecting client must not be locked out by its own stale
  // stream. Queued unsolicited messages are flushed into the new stream.
  void OpenGetStream(const std::shared_ptr<SseChannel>& channel);
  void CloseGetStream(const SseChannel* channel);

  // The client sent another message in this session (the first Touch confirms it: see SessionRegistry).
  void Touch();
  bool confirmed() const { return confirmed_.load(); }
  // Idle since when; a session with requests in flight or an open GET stream counts as active now.
  Clock::SteadyTime LastActive() const;
  // Requests in flight or an open GET stream.
  bool Busy() const;

  // Ends the session: shuts the MCP session down (in-flight calls get up to `grace`), then closes every
  // stream. Idempotent.
  void Close(std::chrono::milliseconds grace);
  bool closed() const { return closed_.load(); }

  // MessageSink
  void Send(const Json& message, const Json& related) override;
  void RequestEnded(const Json& id) override;

  static constexpr size_t kMaxQueuedUnsolicited = 64;

 private:
  const std::string id_;
  const std::string principal_;
  Clock& clock_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> confirmed_{false};
  std::mutex close_mu_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Exchange>> routes_;
  std::shared_ptr<SseChannel> get_stream_;
  std::deque<std::string> unsolicited_;
  Clock::SteadyTime last_active_;

  std::unique_ptr<mcp::Session> session_;  // declared last: destroyed before the routing state it uses
};

}  // namespace lmcp::transport

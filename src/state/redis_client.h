#pragma once
// A small, thread-safe Redis client over hiredis (the only place hiredis is included besides its .cc): a
// fixed pool of blocking connections, each used by one caller at a time, with connect and command timeouts.
// A connection that fails is dropped and reconnected on the next use; while connecting fails, the client
// backs off (100 ms doubling to 5 s, on the injected clock) and fails fast with kUnavailable meanwhile.
// Every failure is a Result error (kUnavailable for I/O, kInternal for a Redis error reply); nothing throws.
// Also: Lua scripts by SHA (EVALSHA, EVAL on NOSCRIPT) and one subscriber thread per Subscriber.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

struct redisContext;

namespace lmcp::state {

// redis://HOST:PORT[/DB]. Parse lists every problem (scheme, host, port, db) in one kInvalidArgument.
struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string ToString() const;  // redis://host:port/db
};
Result<RedisUrl> ParseRedisUrl(std::string_view url);

struct RedisOptions {
  RedisUrl url;
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{1000};
  int pool_size = 4;
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5000};
};

// A reply as plain data. An error reply never becomes a RedisReply: it is the command's Error.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  long long integer = 0;
  std::string str;  // kString, kStatus
  std::vector<RedisReply> elements;
  bool nil() const { return type == Type::kNil; }
};

using RedisArgs = std::vector<std::string>;

// One pooled connection, lent to a caller (RedisClient::WithConnection), e.g. for WATCH/MULTI/EXEC.
class RedisConnection {
 public:
  Result<RedisReply> Command(const RedisArgs& args);
  // Sends every command, then reads every reply (one round trip); a Redis error reply fails the whole.
  Result<std::vector<RedisReply>> Pipeline(const std::vector<RedisArgs>& commands);

 private:
  friend class RedisClient;
  explicit RedisConnection(redisContext* ctx) : ctx_(ctx) {}
  Error IoError(const char* what);
  redisContext* ctx_;
  bool broken_ = false;
};

// A Lua script sent by SHA1 (EVALSHA) and by body when the server does not know it yet (NOSCRIPT).
struct RedisScript {
  explicit RedisScript(std::string body);
  std::string body;
  std::string sha1;  // hex
};

class RedisClient {
 public:
  RedisClient(RedisOptions options, Clock& clock);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  Result<RedisReply> Command(const RedisArgs& args);
  Result<RedisReply> Eval(const RedisScript& script, const RedisArgs& keys, const RedisArgs& args);
  // Runs `use` with a connection of the pool (waits for a free one). kUnavailable when none can be had.
  Status WithConnection(const std::function<Status(RedisConnection&)>& use);
  Status Ping();

  const RedisOptions& options() const { return options_; }
  // Commands that failed for I/O or connection reasons, and reconnects that succeeded.
  uint64_t failures() const { return failures_.load(); }
  uint64_t connects() const { return connects_.load(); }

 private:
  struct Slot {
    redisContext* ctx = nullptr;
    bool busy = false;
  };
  Result<redisContext*> Connect();  // with the backoff
  Result<size_t> Acquire();
  void Release(size_t slot, bool broken);

  const RedisOptions options_;
  Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot> slots_;
  std::mutex connect_mu_;  // guards the backoff below
  Clock::SteadyTime retry_at_{};
  std::chrono::milliseconds backoff_{0};
  std::string last_error_;
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> connects_{0};
};

// SUBSCRIBE to one channel on a connection of its own, on a background thread: `on_message` gets each
// message's payload, and "" after each (re)subscription (messages may have been missed meanwhile). When the
// connection fails, it reconnects with backoff (real time: this thread only waits, nothing depends on it).
// The destructor stops the thread.
class RedisSubscriber {
 public:
  RedisSubscriber(RedisOptions options, std::string channel,
                  std::function<void(const std::string&)> on_message);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;
  bool subscribed() const { return subscribed_.load(); }

 private:
  void Loop();
  const RedisOptions options_;
  const std::string channel_;
  std::function<void(const std::string&)> on_message_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  redisContext* ctx_ = nullptr;  // under mu_: the destructor shuts its socket down to wake the read
  std::atomic<bool> subscribed_{false};
  std::thread thread_;
};

}  // namespace lmcp::state

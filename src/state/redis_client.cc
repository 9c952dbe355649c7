#include "state/redis_client.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "common/crypto.h"
#include "common/strings.h"

namespace lmcp::state {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{.tv_sec = static_cast<time_t>(ms.count() / 1000),
                 .tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

RedisReply Convert(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) {
        out.elements.push_back(Convert(*r.element[i]));
      }
      break;
    default:
      break;
  }
  return out;
}

// The first error reply anywhere in `r` (an EXEC reply holds one per command), or null.
const redisReply* FindError(const redisReply& r) {
  if (r.type == REDIS_REPLY_ERROR) {
    return &r;
  }
  if (r.type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < r.elements; ++i) {
      if (const redisReply* e = FindError(*r.element[i])) {
        return e;
      }
    }
  }
  return nullptr;
}

struct ReplyDeleter {
  void operator()(void* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

Result<RedisReply> FromReply(ReplyPtr reply) {
  if (const redisReply* e = FindError(*reply)) {
    return Error::Internal("redis: " + std::string(e->str, e->len));
  }
  return Convert(*reply);
}

void AppendArgs(redisContext* ctx, const RedisArgs& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data());
}

// A blocking connection with the timeouts, on `db`; null and `error` set when it fails.
redisContext* Open(const RedisOptions& o, std::string& error, bool command_timeout = true) {
  timeval connect = ToTimeval(o.connect_timeout);
  redisContext* ctx = redisConnectWithTimeout(o.url.host.c_str(), o.url.port, connect);
  if (ctx == nullptr || ctx->err != 0) {
    error = ctx ? std::string(ctx->errstr) : "out of memory";
    if (ctx) {
      redisFree(ctx);
    }
    return nullptr;
  }
  if (command_timeout) {
    redisSetTimeout(ctx, ToTimeval(o.command_timeout));
  }
  redisEnableKeepAlive(ctx);
  if (o.url.db != 0) {
    ReplyPtr r(static_cast<redisReply*>(redisCommand(ctx, "SELECT %d", o.url.db)));
    if (!r || r->type == REDIS_REPLY_ERROR) {
      error = r ? std::string(r->str, r->len) : std::string(ctx->errstr);
      redisFree(ctx);
      return nullptr;
    }
  }
  return ctx;
}

}  // namespace

std::string RedisUrl::ToString() const {
  return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

Result<RedisUrl> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  std::vector<std::string> problems;
  RedisUrl out;
  std::string_view rest = url;
  if (!url.starts_with(kScheme)) {
    auto sep = url.find("://");
    problems.push_back(
        "the scheme must be redis:// (got " +
        (sep == std::string_view::npos ? std::string("none") : std::string(url.substr(0, sep + 3))) + ")");
    rest = sep == std::string_view::npos ? url : url.substr(sep + 3);
  } else {
    rest = url.substr(kScheme.size());
  }
  std::string_view db;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (rest.find('@') != std::string_view::npos) {
    problems.push_back("credentials in the URL are not supported (use a Redis on a private network)");
    rest = rest.substr(rest.rfind('@') + 1);
  }
  std::string_view port;
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    port = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  out.host = std::string(rest);
  if (out.host.empty()) {
    problems.push_back("the host is missing (redis://HOST:PORT[/DB])");
  }
  if (!port.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535) {
      problems.push_back("the port must be 1..65535 (got '" + std::string(port) + "')");
    } else {
      out.port = p;
    }
  }
  if (!db.empty()) {
    int d = 0;
    auto [end, ec] = std::from_chars(db.data(), db.data() + db.size(), d);
    if (ec != std::errc() || end != db.data() + db.size() || d < 0 || d > 15) {
      problems.push_back("the database must be 0..15 (got '" + std::string(db) + "')");
    } else {
      out.db = d;
    }
  }
  if (!problems.empty()) {
    return Error::InvalidArgument("state URL '" + std::string(url) + "': " + Join(problems, "; "));
  }
  return out;
}

// ---- RedisConnection ----

Error RedisConnection::IoError(const char* what) {
  broken_ = true;
  std::string detail = ctx_->err != 0 ? std::string(ctx_->errstr) : std::string("no reply");
  if (ctx_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    detail = "timed out";
  }
  return Error::Unavailable(std::string(what) + ": " + detail);
}

Result<RedisReply> RedisConnection::Command(const RedisArgs& args) {
  auto replies = Pipeline({args});
  if (!replies.ok()) {
    return replies.error();
  }
  return std::move(replies->front());
}

Result<std::vector<RedisReply>> RedisConnection::Pipeline(const std::vector<RedisArgs>& commands) {
  if (broken_) {
    return Error::Unavailable("connection lost");
  }
  for (const RedisArgs& args : commands) {
    AppendArgs(ctx_, args);
  }
  std::vector<ReplyPtr> raw;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* reply = nullptr;
    if (redisGetReply(ctx_, &reply) != REDIS_OK || reply == nullptr) {
      return IoError("redis");
    }
    raw.emplace_back(static_cast<redisReply*>(reply));
  }
  std::vector<RedisReply> out;
  out.reserve(raw.size());
  for (auto& r : raw) {
    auto converted = FromReply(std::move(r));
    if (!converted.ok()) {
      return converted.error();
    }
    out.push_back(std::move(*converted));
  }
  return out;
}

// ---- RedisScript ----

RedisScript::RedisScript(std::string text) : body(std::move(text)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  sha1 = HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// ---- RedisClient ----

RedisClient::RedisClient(RedisOptions options, Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      slots_(static_cast<size_t>(std::max(1, options_.pool_size))) {}

RedisClient::~RedisClient() {
  for (Slot& slot : slots_) {
    if (slot.ctx) {
      redisFree(slot.ctx);
    }
  }
}

Result<redisContext*> RedisClient::Connect() {
  std::lock_guard lock(connect_mu_);
  const Clock::SteadyTime now = clock_.Steady();
  if (now < retry_at_) {
    return Error::Unavailable(
        "redis " + options_.url.ToString() + " unreachable (" + last_error_ + "); retrying in " +
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now).count()) +
        " ms");
  }
  std::string error;
  redisContext* ctx = Open(options_, error);
  if (ctx == nullptr) {
    backoff_ = backoff_.count() == 0 ? options_.backoff_min : std::min(backoff_ * 2, options_.backoff_max);
    retry_at_ = clock_.Steady() + backoff_;
    if (last_error_ != error) {
      spdlog::warn("state: redis {} unreachable: {}", options_.url.ToString(), error);
    }
    last_error_ = error;
    failures_.fetch_add(1);
    return Error::Unavailable("redis " + options_.url.ToString() + " unreachable: " + error);
  }
  if (!last_error_.empty()) {
    spdlog::info("state: redis {} reachable again", options_.url.ToString());
  }
  backoff_ = std::chrono::milliseconds(0);
  last_error_.clear();
  connects_.fetch_add(1);
  return ctx;
}

Result<size_t> RedisClient::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] {
    return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.busy; });
  });
  // A connected slot first.
  size_t index = slots_.size();
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].busy && (index == slots_.size() || slots_[i].ctx != nullptr)) {
      index = i;
    }
  }
  Slot& slot = slots_[index];
  slot.busy = true;
  if (slot.ctx != nullptr) {
    return index;
  }
  lock.unlock();
  auto ctx = Connect();
  lock.lock();
  if (!ctx.ok()) {
    slot.busy = false;
    cv_.notify_one();
    return ctx.error();
  }
  slot.ctx = *ctx;
  return index;
}

void RedisClient::Release(size_t index, bool broken) {
  std::lock_guard lock(mu_);
  Slot& slot = slots_[index];
  if (broken && slot.ctx) {
    redisFree(slot.ctx);  // reconnected on the next use
    slot.ctx = nullptr;
    failures_.fetch_add(1);
  }
  slot.busy = false;
  cv_.notify_one();
}

Status RedisClient::WithConnection(const std::function<Status(RedisConnection&)>& use) {
  auto index = Acquire();
  if (!index.ok()) {
    return index.error();
  }
  RedisConnection conn(slots_[*index].ctx);
  Status status = use(conn);
  Release(*index, conn.broken_);
  if (!status.ok() && status.error().code == ErrorCode::kUnavailable) {
    return Error::Unavailable("redis " + options_.url.ToString() + ": " + status.error().message);
  }
  return status;
}

Result<RedisReply> RedisClient::Command(const RedisArgs& args) {
  RedisReply out;
  Status status = WithConnection([&](RedisConnection& conn) -> Status {
    auto reply = conn.Command(args);
    if (!reply.ok()) {
      return reply.error();
    }
    out = std::move(*reply);
    return Ok();
  });
  if (!status.ok()) {
    return status.error();
  }
  return out;
}

Result<RedisReply> RedisClient::Eval(const RedisScript& script, const RedisArgs& keys,
                                     const RedisArgs& args) {
  auto command = [&](const std::string& verb, const std::string& what) {
    RedisArgs argv{verb, what, std::to_string(keys.size())};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };
  auto reply = Command(command("EVALSHA", script.sha1));
  if (!reply.ok() && reply.error().message.find("NOSCRIPT") != std::string::npos) {
    reply = Command(command("EVAL", script.body));
  }
  return reply;
}

Status RedisClient::Ping() {
  auto reply = Command({"PING"});
  if (!reply.ok()) {
    return reply.error();
  }
  return Ok();
}

// ---- RedisSubscriber ----

RedisSubscriber::RedisSubscriber(RedisOptions options, std::string channel,
                                 std::function<void(const std::string&)> on_message)
    : options_(std::move(options)), channel_(std::move(channel)), on_message_(std::move(on_message)) {
  thread_ = std::thread([this] { Loop(); });
}

RedisSubscriber::~RedisSubscriber() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (ctx_ != nullptr) {
      shutdown(ctx_->fd, SHUT_RDWR);  // wakes the blocked read
    }
  }
  cv_.notify_all();
  thread_.join();
}

void RedisSubscriber::Loop() {
  std::chrono::milliseconds backoff{0};
  std::string last_error;
  while (true) {
    std::string error;
    redisContext* ctx = Open(options_, error, /*command_timeout=*/false);  // a subscriber waits forever
    if (ctx != nullptr) {
      ReplyPtr r(
          static_cast<redisReply*>(redisCommand(ctx, "SUBSCRIBE %b", channel_.data(), channel_.size())));
      if (!r || r->type == REDIS_REPLY_ERROR) {
        error = r ? std::string(r->str, r->len) : std::string(ctx->errstr);
        redisFree(ctx);
        ctx = nullptr;
      }
    }
    if (ctx != nullptr) {
      {
        std::lock_guard lock(mu_);
        if (stop_) {
          redisFree(ctx);
          return;
        }
        ctx_ = ctx;
      }
      subscribed_ = true;
      backoff = std::chrono::milliseconds(0);
      if (!last_error.empty()) {
        spdlog::info("state: task change feed from redis {} restored", options_.url.ToString());
        last_error.clear();
      }
      on_message_("");  // anything may have changed while we were not listening
      while (true) {
        void* raw = nullptr;
        if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) {
          error = ctx->errstr[0] != '\0' ? std::string(ctx->errstr) : std::string("connection closed");
          break;
        }
        ReplyPtr reply(static_cast<redisReply*>(raw));
        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
            reply->element[0]->type == REDIS_REPLY_STRING &&
            std::string_view(reply->element[0]->str, reply->element[0]->len) == "message" &&
            reply->element[2]->type == REDIS_REPLY_STRING) {
          on_message_(std::string(reply->element[2]->str, reply->element[2]->len));
        }
      }
      subscribed_ = false;
      std::lock_guard lock(mu_);
      ctx_ = nullptr;
      redisFree(ctx);
    }
    std::unique_lock lock(mu_);
    if (stop_) {
      return;
    }
    if (error != last_error) {
      spdlog::warn("state: task change feed from redis {} lost: {}; reconnecting", options_.url.ToString(),
                   error);
      last_error = error;
    }
    backoff = backoff.count() == 0 ? options_.backoff_min : std::min(backoff * 2, options_.backoff_max);
    cv_.wait_for(lock, backoff, [this] { return stop_; });
    if (stop_) {
      return;
    }
  }
}

}  // namespace lmcp::state

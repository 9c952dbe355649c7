#include "state/redis_task_store.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "common/base64.h"
#include "common/json.h"

namespace lmcp::state {
namespace {

using mcp::TaskRecord;
using mcp::TaskStatus;
using std::chrono::milliseconds;

constexpr int kUpdateAttempts = 16;  // WATCH/MULTI/EXEC retries when another writer got there first
constexpr std::string_view kCursorPrefix = "lmcp-rtask1:";

long long Ms(Clock::WallTime t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}
Clock::WallTime FromMs(long long ms) { return Clock::WallTime(milliseconds(ms)); }

Error Unavailable(const Error& e) { return Error::Unavailable("task store unavailable: " + e.message); }

std::optional<TaskStatus> StatusFromName(const std::string& name) {
  for (TaskStatus s : {TaskStatus::kWorking, TaskStatus::kInputRequired, TaskStatus::kCompleted,
                       TaskStatus::kFailed, TaskStatus::kCancelled}) {
    if (name == mcp::TaskStatusName(s)) {
      return s;
    }
  }
  return std::nullopt;
}

bool Expired(const TaskRecord& r, Clock::WallTime now) { return r.expires_at && *r.expires_at <= now; }

std::string EncodeCursor(long long score, const std::string& id) {
  return Base64UrlEncode(std::string(kCursorPrefix) + std::to_string(score) + ":" + id);
}

std::optional<std::pair<long long, std::string>> DecodeCursor(std::string_view cursor) {
  auto raw = Base64UrlDecode(cursor);
  if (!raw.ok() || !raw->starts_with(kCursorPrefix)) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(*raw).substr(kCursorPrefix.size());
  auto colon = rest.find(':');
  long long score = 0;
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + colon, score);
  if (ec != std::errc() || end != rest.data() + colon || colon + 1 == rest.size()) {
    return std::nullopt;
  }
  return std::make_pair(score, std::string(rest.substr(colon + 1)));
}

// KEYS: the record, the owner's set, the set of all. ARGV: id, JSON, score, max_tasks, max_per_owner, PX,
// the record key prefix, the change channel, now (ms, the injected clock). 0 = created, 1 = the id exists,
// 2 = owner full, 3 = all full. At a limit, ids whose record is gone or past its expires_at are trimmed.
const RedisScript& CreateScript() {
  static const RedisScript kScript(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
local now = tonumber(ARGV[9])
local function gone(id)
  local v = redis.call('GET', ARGV[7] .. id)
  if not v then return true end
  local ok, rec = pcall(cjson.decode, v)
  if ok and type(rec) == 'table' and rec.expires and rec.expires <= now then
    redis.call('DEL', ARGV[7] .. id)
    return true
  end
  return false
end
local function trim(set, limit)
  if redis.call('ZCARD', set) < limit then return end
  for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do
    if gone(id) then redis.call('ZREM', set, id) end
  end
end
trim(KEYS[2], tonumber(ARGV[5]))
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 2 end
trim(KEYS[3], tonumber(ARGV[4]))
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then return 3 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('PUBLISH', ARGV[8], ARGV[1])
return 0
)lua");
  return kScript;
}

}  // namespace

std::string TaskRecordToJson(const TaskRecord& r) {
  mcp::Json j{{"id", r.id},
              {"owner", r.owner},
              {"tool", r.tool},
              {"pv", r.protocol_version},
              {"status", mcp::TaskStatusName(r.status)},
              {"created", Ms(r.created_at)},
              {"updated", Ms(r.updated_at)},
              {"ttl", r.ttl.count()},
              {"poll", r.poll_interval.count()}};
  if (!r.status_message.empty()) {
    j["msg"] = r.status_message;
  }
  if (r.expires_at) {
    j["expires"] = Ms(*r.expires_at);
  }
  for (auto [name, value] : {std::pair{"result", &r.result}, std::pair{"error", &r.error},
                             std::pair{"input", &r.input_requests}, std::pair{"resume", &r.resume}}) {
    if (!value->is_null()) {
      j[name] = *value;
    }
  }
  if (r.cancel_requested) {
    j["cancel"] = true;
  }
  return j.dump(-1, ' ', false, mcp::Json::error_handler_t::replace);
}

Result<TaskRecord> TaskRecordFromJson(std::string_view text) {
  mcp::Json j = ParseJsonOrDiscarded(text);
  if (!j.is_object()) {
    return Error::Internal("task store: a record is not valid JSON");
  }
  try {
    TaskRecord r;
    r.id = j.at("id").get<std::string>();
    r.owner = j.at("owner").get<std::string>();
    r.tool = j.at("tool").get<std::string>();
    r.protocol_version = j.at("pv").get<std::string>();
    auto status = StatusFromName(j.at("status").get<std::string>());
    if (!status) {
      return Error::Internal("task store: record " + r.id + " has an unknown status");
    }
    r.status = *status;
    r.status_message = j.value("msg", "");
    r.created_at = FromMs(j.at("created").get<long long>());
    r.updated_at = FromMs(j.at("updated").get<long long>());
    if (j.contains("expires")) {
      r.expires_at = FromMs(j["expires"].get<long long>());
    }
    r.ttl = milliseconds(j.at("ttl").get<long long>());
    r.poll_interval = milliseconds(j.at("poll").get<long long>());
    r.result = j.value("result", mcp::Json());
    r.error = j.value("error", mcp::Json());
    r.input_requests = j.value("input", mcp::Json());
    r.resume = j.value("resume", mcp::Json());
    r.cancel_requested = j.value("cancel", false);
    return r;
  } catch (const mcp::Json::exception&) {
    return Error::Internal("task store: a record misses a field");
  }
}

RedisTaskStore::RedisTaskStore(std::shared_ptr<RedisClient> redis, RedisTaskStoreOptions options,
                               Clock& clock)
    : redis_(std::move(redis)), options_(std::move(options)), clock_(clock) {
  if (options_.change_feed) {
    subscriber_ = std::make_unique<RedisSubscriber>(redis_->options(), options_.prefix + "task-changes",
                                                    [this](const std::string& id) { feed_.Publish(id); });
  }
}

RedisTaskStore::~RedisTaskStore() { subscriber_.reset(); }

std::string RedisTaskStore::ExpiryMs(const TaskRecord& r) const {
  long long ms = options_.running_expiry.count();
  if (r.expires_at) {
    ms = std::chrono::duration_cast<milliseconds>(*r.expires_at - clock_.Now()).count();
  }
  return std::to_string(std::max(1LL, ms));
}

Result<void> RedisTaskStore::Create(TaskRecord record) {
  const auto& l = options_.limits;
  auto reply = redis_->Eval(
      CreateScript(), {TaskKey(record.id), OwnerKey(record.owner), options_.prefix + "tasks:all"},
      {record.id, TaskRecordToJson(record), std::to_string(Ms(record.created_at)),
       std::to_string(l.max_tasks), std::to_string(l.max_tasks_per_owner), ExpiryMs(record),
       options_.prefix + "task:", options_.prefix + "task-changes", std::to_string(Ms(clock_.Now()))});
  if (!reply.ok()) {
    return Unavailable(reply.error());
  }
  switch (reply->integer) {
    case 0:
      return Ok();
    case 1:
      return Error{ErrorCode::kAlreadyExists, "task id already in use"};
    case 2:
      return Error::ResourceExhausted("task limit reached: " + std::to_string(l.max_tasks_per_owner) +
                                      " tasks for principal " + record.owner +
                                      "; wait for some to end or cancel them");
    default:
      return Error::ResourceExhausted("task limit reached: " + std::to_string(l.max_tasks) +
                                      " tasks in total; wait for some to end or cancel them");
  }
}

Result<std::optional<TaskRecord>> RedisTaskStore::Read(const std::string& id) {
  auto reply = redis_->Command({"GET", TaskKey(id)});
  if (!reply.ok()) {
    return Unavailable(reply.error());
  }
  if (reply->nil()) {
    return std::optional<TaskRecord>();
  }
  auto record = TaskRecordFromJson(reply->str);
  if (!record.ok()) {
    return record.error();
  }
  if (Expired(*record, clock_.Now())) {
    return std::optional<TaskRecord>();
  }
  return std::optional<TaskRecord>(std::move(*record));
}

std::optional<TaskRecord> RedisTaskStore::Get(const std::string& id) {
  auto record = Read(id);
  if (!record.ok()) {
    spdlog::warn("state: task {}: {}", id, record.error().message);
    return std::nullopt;
  }
  return std::move(*record);
}

Result<TaskRecord> RedisTaskStore::Update(const std::string& id,
                                          const std::function<bool(TaskRecord&)>& change) {
  const std::string key = TaskKey(id);
  Result<TaskRecord> out =
      Error::Unavailable("task store unavailable: too many concurrent writers to task " + id);
  Status status = redis_->WithConnection([&](RedisConnection& conn) -> Status {
    for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
      auto watched = conn.Pipeline({{"WATCH", key}, {"GET", key}});
      if (!watched.ok()) {
        return watched.error();
      }
      const RedisReply& got = (*watched)[1];
      std::optional<TaskRecord> current;
      if (!got.nil()) {
        auto parsed = TaskRecordFromJson(got.str);
        if (!parsed.ok()) {
          (void)conn.Command({"UNWATCH"});
          out = parsed.error();
          return Ok();
        }
        current = std::move(*parsed);
      }
      if (!current || Expired(*current, clock_.Now())) {
        (void)conn.Command({"UNWATCH"});
        out = Error::NotFound("task not found");
        return Ok();
      }
      TaskRecord next = *current;
      if (!change(next)) {
        (void)conn.Command({"UNWATCH"});
        out = std::move(*current);
        return Ok();
      }
      if (next.id != current->id || next.owner != current->owner) {
        (void)conn.Command({"UNWATCH"});
        out = Error::Internal("a task update may not change the task's id or owner");
        return Ok();
      }
      auto exec = conn.Pipeline({{"MULTI"},
                                 {"SET", key, TaskRecordToJson(next), "PX", ExpiryMs(next)},
                                 {"PUBLISH", options_.prefix + "task-changes", id},
                                 {"EXEC"}});
      if (!exec.ok()) {
        return exec.error();
      }
      if (!exec->back().nil()) {  // nil: the record changed since WATCH; read it again
        out = std::move(next);
        return Ok();
      }
    }
    return Ok();
  });
  if (!status.ok()) {
    return Unavailable(status.error());
  }
  return out;
}

Result<mcp::TaskPage> RedisTaskStore::List(const std::string& owner, const std::string& cursor,
                                           size_t limit) {
  std::optional<std::pair<long long, std::string>> after;
  if (!cursor.empty()) {
    after = DecodeCursor(cursor);
    if (!after) {
      return Error::InvalidArgument("unknown cursor");
    }
  }
  limit = std::max<size_t>(limit, 1);
  const std::string set = OwnerKey(owner);
  const std::string min = after ? std::to_string(after->first) : "-inf";
  const Clock::WallTime now = clock_.Now();
  constexpr long long kChunk = 100;
  mcp::TaskPage page;
  std::vector<std::string> gone;  // ids whose record expired: trimmed from the sets
  long long last_score = 0;
  for (long long offset = 0;; offset += kChunk) {
    auto ids = redis_->Command({"ZRANGEBYSCORE", set, min, "+inf", "WITHSCORES", "LIMIT",
                                std::to_string(offset), std::to_string(kChunk)});
    if (!ids.ok()) {
      return Unavailable(ids.error());
    }
    std::vector<std::pair<std::string, long long>> members;
    for (size_t i = 0; i + 1 < ids->elements.size(); i += 2) {
      long long score = 0;
      const std::string& text = ids->elements[i + 1].str;
      std::from_chars(text.data(), text.data() + text.size(), score);
      const std::string& id = ids->elements[i].str;
      if (after && score == after->first && id <= after->second) {
        continue;  // on the previous page (same score: by id, as Redis orders them)
      }
      members.emplace_back(id, score);
    }
    if (!members.empty()) {
      RedisArgs mget{"MGET"};
      for (const auto& m : members) {
        mget.push_back(TaskKey(m.first));
      }
      auto records = redis_->Command(mget);
      if (!records.ok()) {
        return Unavailable(records.error());
      }
      for (size_t i = 0; i < members.size() && i < records->elements.size(); ++i) {
        const RedisReply& value = records->elements[i];
        auto record = value.nil() ? Result<TaskRecord>(Error::NotFound("")) : TaskRecordFromJson(value.str);
        if (!record.ok() || Expired(*record, now) || record->owner != owner) {
          if (value.nil()) {
            gone.push_back(members[i].first);
          }
          continue;
        }
        if (page.tasks.size() == limit) {
          page.next_cursor = EncodeCursor(last_score, page.tasks.back().id);
          break;
        }
        last_score = members[i].second;
        page.tasks.push_back(std::move(*record));
      }
    }
    if (!page.next_cursor.empty() || static_cast<long long>(ids->elements.size() / 2) < kChunk) {
      break;
    }
  }
  if (!gone.empty()) {
    RedisArgs zrem{"ZREM", set};
    zrem.insert(zrem.end(), gone.begin(), gone.end());
    RedisArgs zrem_all{"ZREM", options_.prefix + "tasks:all"};
    zrem_all.insert(zrem_all.end(), gone.begin(), gone.end());
    (void)redis_->Command(zrem);  // best effort: the next List trims them again
    (void)redis_->Command(zrem_all);
  }
  return page;
}

void RedisTaskStore::Remove(const std::string& id) {
  auto record = Read(id);
  if (!record.ok() || !*record) {
    (void)redis_->Command({"DEL", TaskKey(id)});
    return;
  }
  Status status = redis_->WithConnection([&](RedisConnection& conn) -> Status {
    auto done = conn.Pipeline({{"DEL", TaskKey(id)},
                               {"ZREM", OwnerKey((*record)->owner), id},
                               {"ZREM", options_.prefix + "tasks:all", id}});
    if (!done.ok()) {
      return done.error();
    }
    return Ok();
  });
  if (!status.ok()) {
    spdlog::warn("state: task {} not removed: {}", id, status.error().message);
  }
}

}  // namespace lmcp::state

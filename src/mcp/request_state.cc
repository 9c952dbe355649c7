#include "mcp/request_state.h"

#include <utility>

#include "common/base64.h"
#include "common/crypto.h"
#include "common/json.h"

namespace lmcp::mcp {
namespace {

constexpr std::string_view kPrefix = "lmcp1.";
constexpr std::string_view kAad = "lambda-mcp MRTR request state v1";

int64_t EpochMillis(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string ArgumentsDigest(const Json& arguments) { return Sha256Hex(arguments.dump()); }

RequestStateSealer::RequestStateSealer(std::string key, Clock& clock, std::chrono::milliseconds ttl)
    : key_(std::move(key)), clock_(clock), ttl_(ttl) {}

Result<std::string> RequestStateSealer::Seal(const StateBinding& binding, const Json& state) const {
  Json payload{{"p", binding.principal},
               {"t", binding.tool},
               {"a", binding.arguments_digest},
               {"exp", EpochMillis(clock_.Now()) + ttl_.count()},
               {"s", state}};
  auto sealed = AeadSeal(key_, payload.dump(), kAad);
  if (!sealed.ok()) {
    return sealed.error();
  }
  return std::string(kPrefix) + Base64UrlEncode(*sealed);
}

Result<Json> RequestStateSealer::Open(const StateBinding& binding, std::string_view request_state) const {
  const Error not_ours = Error::InvalidArgument("requestState was not issued by this server or was altered");
  if (request_state.substr(0, kPrefix.size()) != kPrefix) {
    return not_ours;
  }
  auto raw = Base64UrlDecode(request_state.substr(kPrefix.size()));
  if (!raw.ok()) {
    return not_ours;
  }
  auto opened = AeadOpen(key_, *raw, kAad);
  if (!opened.ok()) {
    return not_ours;
  }
  auto payload = ParseJson(*opened, kMaxJsonDepth);
  if (!payload.ok() || !payload->is_object() || !(*payload)["exp"].is_number_integer()) {
    return not_ours;  // sealed under our key, so this is a bug or a key reused elsewhere
  }
  const Json& p = *payload;
  if (p.value("p", "") != binding.principal || p.value("t", "") != binding.tool ||
      p.value("a", "") != binding.arguments_digest) {
    return Error::PermissionDenied("requestState belongs to another request (principal, tool or arguments)");
  }
  if (EpochMillis(clock_.Now()) > p["exp"].get<int64_t>()) {
    return Error::FailedPrecondition("requestState expired; call the tool again without it");
  }
  return std::move((*payload)["s"]);
}

}  // namespace lmcp::mcp

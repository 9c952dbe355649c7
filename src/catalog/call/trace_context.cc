#include "catalog/call/trace_context.h"

#include <algorithm>
#include <set>
#include <vector>

#include "common/strings.h"

namespace lmcp::catalog {
namespace {

constexpr std::size_t kTraceparentChars = 55;  // "00-" 32 "-" 16 "-" 2
constexpr std::size_t kMaxTracestateMembers = 32;
constexpr std::size_t kLongMemberChars = 128;  // W3C: cut these first

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// `s` is lower-case hex; with `nonzero`, not all "0".
bool LowerHex(std::string_view s, bool nonzero) {
  return std::all_of(s.begin(), s.end(), IsLowerHex) &&
         (!nonzero || s.find_first_not_of('0') != std::string_view::npos);
}

bool IsLowerAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) {
  return IsLowerAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// One part of a W3C tracestate key: a lower-case letter (or, with `digit_first`, a digit) then key
// characters, at most `max` in all: a simple key 256, a multi-tenant key's tenant id 241 and system id 14.
bool KeyPart(std::string_view s, bool digit_first, std::size_t max) {
  if (s.empty() || s.size() > max || !(IsLowerAlpha(s[0]) || (digit_first && IsDigit(s[0])))) {
    return false;
  }
  return std::all_of(s.begin() + 1, s.end(), IsKeyChar);
}

bool ValidKey(std::string_view key) {
  std::size_t at = key.find('@');
  if (at == std::string_view::npos) {
    return KeyPart(key, false, 256);
  }
  return KeyPart(key.substr(0, at), true, 241) && KeyPart(key.substr(at + 1), false, 14);
}

// 1..256 printable ASCII characters but "," and "=", not ending in a space.
bool ValidValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') {
    return false;
  }
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
}

std::size_t JoinedSize(const std::vector<std::string_view>& members) {
  std::size_t n = members.empty() ? 0 : members.size() - 1;
  for (auto m : members) {
    n += m.size();
  }
  return n;
}

// Drops members (from the end) matching `pred` until the joined list fits.
template <class Pred>
void DropFromEnd(std::vector<std::string_view>& members, Pred pred) {
  for (std::size_t i = members.size(); i > 0 && JoinedSize(members) > kMaxTracestateChars; --i) {
    if (pred(members[i - 1])) {
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(i - 1));
    }
  }
}

std::size_t Base64Size(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

}  // namespace

std::string TraceContext::Traceparent() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "00-" + trace_id + "-" + parent_id + "-";
  out += kHex[flags >> 4];
  out += kHex[flags & 0xf];
  return out;
}

std::optional<TraceContext> ParseTraceparent(std::string_view value) {
  if (value.size() < kTraceparentChars || value[2] != '-' || value[35] != '-' || value[52] != '-') {
    return std::nullopt;
  }
  std::string_view version = value.substr(0, 2);
  if (!LowerHex(version, false) || version == "ff") {
    return std::nullopt;
  }
  // Version 00 is exactly 55 characters; a later one may append fields after a "-".
  if (value.size() > kTraceparentChars && (version == "00" || value[kTraceparentChars] != '-')) {
    return std::nullopt;
  }
  std::string_view trace_id = value.substr(3, 32);
  std::string_view parent_id = value.substr(36, 16);
  std::string_view flags = value.substr(53, 2);
  if (!LowerHex(trace_id, true) || !LowerHex(parent_id, true) || !LowerHex(flags, false)) {
    return std::nullopt;
  }
  TraceContext trace;
  trace.trace_id = trace_id;
  trace.parent_id = parent_id;
  trace.flags = static_cast<std::uint8_t>(HexDigitValue(flags[0]) * 16 + HexDigitValue(flags[1]));
  return trace;
}

std::string NormalizeTracestate(std::string_view value) {
  std::vector<std::string_view> members;
  std::set<std::string_view> keys;
  for (;;) {
    std::size_t comma = value.find(',');
    std::string_view member = Trim(value.substr(0, comma), kHttpWhitespace);
    if (!member.empty()) {
      std::size_t eq = member.find('=');
      if (eq == std::string_view::npos || !ValidKey(member.substr(0, eq)) ||
          !ValidValue(member.substr(eq + 1)) || !keys.insert(member.substr(0, eq)).second ||
          members.size() == kMaxTracestateMembers) {
        return "";
      }
      members.push_back(member);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    value.remove_prefix(comma + 1);
  }
  DropFromEnd(members, [](std::string_view m) { return m.size() > kLongMemberChars; });
  DropFromEnd(members, [](std::string_view) { return true; });
  std::string out;
  for (auto m : members) {
    out += out.empty() ? "" : ",";
    out += m;
  }
  return out;
}

std::optional<TraceContext> ReadTraceContext(const mcp::Json& meta) {
  if (!meta.is_object()) {
    return std::nullopt;
  }
  auto tp = meta.find("traceparent");
  if (tp == meta.end() || !tp->is_string()) {
    return std::nullopt;
  }
  auto trace = ParseTraceparent(tp->get_ref<const std::string&>());
  if (!trace) {
    return std::nullopt;
  }
  if (auto ts = meta.find("tracestate"); ts != meta.end() && ts->is_string()) {
    trace->tracestate = NormalizeTracestate(ts->get_ref<const std::string&>());
  }
  return trace;
}

std::string XRayTraceHeader(const TraceContext& trace) {
  return "Root=1-" + trace.trace_id.substr(0, 8) + "-" + trace.trace_id.substr(8) +
         ";Parent=" + trace.parent_id + ";Sampled=" + ((trace.flags & 1) != 0 ? "1" : "0");
}

std::string ClientContextJson(const TraceContext& trace, std::size_t max_base64_bytes) {
  mcp::Json custom = {{"traceparent", trace.Traceparent()}};
  if (!trace.tracestate.empty()) {
    custom["tracestate"] = trace.tracestate;
  }
  for (;;) {
    std::string text = mcp::Json{{"custom", custom}}.dump();
    if (Base64Size(text.size()) <= max_base64_bytes) {
      return text;
    }
    if (!custom.contains("tracestate")) {
      return "";
    }
    custom.erase("tracestate");
  }
}

}  // namespace lmcp::catalog

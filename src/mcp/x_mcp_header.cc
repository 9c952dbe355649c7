#include "mcp/x_mcp_header.h"

#include <charconv>
#include <cstdint>
#include <map>
#include <set>

#include "common/base64.h"
#include "common/strings.h"

namespace lmcp::mcp {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kKeyword = "x-mcp-header";
constexpr std::string_view kParamPrefix = "mcp-param-";
constexpr std::string_view kSentinelStart = "=?base64?";
constexpr std::string_view kSentinelEnd = "?=";
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

std::string EscapePointerToken(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) {
    out += out.empty() ? p : "." + p;
  }
  return out;
}

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(const std::string& s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!IsTokenChar(c)) {
      return false;
    }
  }
  return true;
}

// Walks the schema positions of an inputSchema, tracking whether each is reached through `properties` only.
class Scanner {
 public:
  HeaderParamScan Run(const Json& root) {
    std::vector<std::string> path;
    Schema(root, "", &path);
    return std::move(out_);
  }

 private:
  // `path`: the properties chain to this schema, or nullptr when it is not statically reachable.
  void Schema(const Json& s, const std::string& pointer, const std::vector<std::string>* path) {
    if (!s.is_object()) {
      return;
    }
    if (s.contains(kKeyword)) {
      Annotation(s, pointer, path);
    }
    for (const auto& [key, value] : s.items()) {
      std::string at = pointer + "/" + EscapePointerToken(key);
      if (key == kKeyword || key == "const" || key == "enum" || key == "default" || key == "examples") {
        continue;  // data, not schemas
      }
      if (key == "properties" && value.is_object()) {
        for (const auto& [name, sub] : value.items()) {
          std::string sub_at = at + "/" + EscapePointerToken(name);
          if (path) {
            std::vector<std::string> sub_path = *path;
            sub_path.push_back(name);
            Schema(sub, sub_at, &sub_path);
          } else {
            Schema(sub, sub_at, nullptr);
          }
        }
      } else {
        Any(value, at);
      }
    }
  }

  // A keyword's value, not reachable: every object in it is looked at as a schema (maps such as $defs too,
  // whose members are schemas; unknown keywords are scanned the same way, to be safe).
  void Any(const Json& v, const std::string& pointer) {
    if (v.is_object()) {
      Schema(v, pointer, nullptr);
    } else if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) {
        Any(v[i], pointer + "/" + std::to_string(i));
      }
    }
  }

  void Annotation(const Json& s, const std::string& pointer, const std::vector<std::string>* path) {
    auto invalid = [&](std::string why) { out_.invalid.push_back({pointer, std::move(why)}); };
    const Json& v = s[kKeyword];
    if (!path || path->empty()) {
      return invalid("x-mcp-header is allowed only on a property reached from the root through properties");
    }
    if (!v.is_string()) {
      return invalid("x-mcp-header must be a string");
    }
    const std::string name = v.get<std::string>();
    if (name.empty()) {
      return invalid("x-mcp-header must not be empty");
    }
    if (!IsToken(name)) {
      return invalid(
          "x-mcp-header must be an HTTP token (RFC 9110 tchar: no space, colon, control or non-ASCII)");
    }
    const Json* type = s.contains("type") ? &s["type"] : nullptr;
    if (!type || !type->is_string() || (*type != "string" && *type != "integer" && *type != "boolean")) {
      return invalid(
          "x-mcp-header is allowed only on a property of type string, integer or boolean (type is " +
          (type ? type->dump() : std::string("absent")) + ")");
    }
    if (!seen_.insert(AsciiLower(name)).second) {
      return invalid("x-mcp-header \"" + name + "\" is not unique (names compare case-insensitively)");
    }
    out_.valid.push_back({*path, name, type->get<std::string>()});
  }

  HeaderParamScan out_;
  std::set<std::string> seen_;
};

// The argument at `path`; nullptr when absent or null.
const Json* ArgumentAt(const Json& arguments, const std::vector<std::string>& path) {
  const Json* at = &arguments;
  for (const auto& key : path) {
    if (!at->is_object()) {
      return nullptr;
    }
    auto it = at->find(key);
    if (it == at->end()) {
      return nullptr;
    }
    at = &*it;
  }
  return at->is_null() ? nullptr : at;
}

// "-?digits(.digits)?([eE][+-]?digits)?", the decimal forms a client writes.
bool IsDecimalNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
    }
    return i > start;
  };
  if (i < s.size() && s[i] == '-') {
    ++i;
  }
  if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) {
      return false;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    if (!digits()) {
      return false;
    }
  }
  return i == s.size();
}

bool NumberMatches(const std::string& header, const Json& value) {
  if (!IsDecimalNumber(header)) {
    return false;
  }
  int64_t as_int = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), as_int);
  bool header_is_int = ec == std::errc() && end == header.data() + header.size();
  if (header_is_int && value.is_number_integer()) {
    return value.is_number_unsigned() ? as_int >= 0 && static_cast<uint64_t>(as_int) == value.get<uint64_t>()
                                      : as_int == value.get<int64_t>();
  }
  double as_double = 0;
  auto [dend, dec] = std::from_chars(header.data(), header.data() + header.size(), as_double);
  if (dec != std::errc() || dend != header.data() + header.size()) {
    return false;
  }
  return as_double == value.get<double>();
}

bool OutsideSafeRange(const Json& value) {
  if (value.is_number_unsigned()) {
    return value.get<uint64_t>() > static_cast<uint64_t>(kMaxSafeInteger);
  }
  if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    return v > kMaxSafeInteger || v < -kMaxSafeInteger;
  }
  return false;
}

// Empty when the decoded header text stands for `value`; else why not.
std::string Compare(const std::string& header, const Json& value, const HeaderParam& p) {
  if (value.is_string()) {
    return header == value.get<std::string>() ? "" : "does not match";
  }
  if (value.is_boolean()) {
    return header == (value.get<bool>() ? "true" : "false") ? "" : "does not match";
  }
  if (value.is_number()) {
    if (p.type == "integer" && OutsideSafeRange(value)) {
      return "is outside the integer range a header can carry (±(2^53-1))";
    }
    return NumberMatches(header, value) ? "" : "does not match";
  }
  return "cannot be mirrored (it is not a string, integer or boolean)";
}

struct ReceivedHeader {
  std::string value;
  int count = 0;
};

}  // namespace

HeaderParamScan ScanHeaderParams(const Json& input_schema) { return Scanner().Run(input_schema); }

Result<std::vector<HeaderParam>> ParseHeaderParams(const Json& input_schema) {
  HeaderParamScan scan = ScanHeaderParams(input_schema);
  if (!scan.invalid.empty()) {
    const auto& first = scan.invalid.front();
    return Error::InvalidArgument((first.pointer.empty() ? "/" : first.pointer) + ": " + first.reason);
  }
  return std::move(scan.valid);
}

std::vector<std::string> RemoveInvalidHeaderParams(Json& input_schema) {
  std::vector<std::string> removed;
  for (const auto& bad : ScanHeaderParams(input_schema).invalid) {
    input_schema.at(Json::json_pointer(bad.pointer)).erase(std::string(kKeyword));
    removed.push_back((bad.pointer.empty() ? "/" : bad.pointer) + ": " + bad.reason);
  }
  return removed;
}

Result<std::string> DecodeHeaderValue(std::string_view raw) {
  std::string_view v = Trim(raw, kHttpWhitespace);
  if (v.size() >= kSentinelStart.size() + kSentinelEnd.size() && v.starts_with(kSentinelStart) &&
      v.ends_with(kSentinelEnd)) {
    std::string_view b64 =
        v.substr(kSentinelStart.size(), v.size() - kSentinelStart.size() - kSentinelEnd.size());
    size_t pad = 0;
    while (pad < b64.size() && b64[b64.size() - 1 - pad] == '=') {
      ++pad;
    }
    bool alphabet = true;
    for (size_t i = 0; i + pad < b64.size(); ++i) {
      char c = b64[i];
      alphabet = alphabet && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                              c == '+' || c == '/');
    }
    if (!alphabet || b64.size() % 4 != 0 || pad > 2) {
      return Error::InvalidArgument("the =?base64?...?= value is not padded standard Base64");
    }
    auto decoded = Base64Decode(b64);
    if (!decoded.ok() || Base64Encode(decoded.value()) != b64) {
      return Error::InvalidArgument("the =?base64?...?= value is not canonical Base64");
    }
    return std::move(decoded).value();
  }
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u != '\t' && (u < 0x20 || u > 0x7E)) {
      return Error::InvalidArgument(
          "the value has a character not allowed in a plain header value (use the =?base64?...?= form)");
    }
  }
  return std::string(v);
}

Status CheckHeaderParams(const std::vector<HeaderParam>& params, const Json& arguments,
                         const HeaderList& headers) {
  std::map<std::string, ReceivedHeader> received;  // lower-cased name after "Mcp-Param-"
  for (const auto& [name, value] : headers) {
    if (name.size() > kParamPrefix.size() && IEquals(name.substr(0, kParamPrefix.size()), kParamPrefix)) {
      auto& r = received[AsciiLower(name.substr(kParamPrefix.size()))];
      r.value = value;
      ++r.count;
    }
  }
  for (const auto& p : params) {
    std::string header = "Mcp-Param-" + p.header;
    std::string param = "parameter " + JoinPath(p.path);
    const Json* value = ArgumentAt(arguments, p.path);
    auto it = received.find(AsciiLower(p.header));
    if (it == received.end()) {
      if (value) {
        return Error::InvalidArgument("Header mismatch: " + header + " is missing but " + param +
                                      " has a value");
      }
      continue;
    }
    if (it->second.count > 1) {
      return Error::InvalidArgument("Header mismatch: " + header + " appears more than once");
    }
    if (!value) {
      return Error::InvalidArgument("Header mismatch: " + header + " is present but " + param +
                                    " has no value");
    }
    auto decoded = DecodeHeaderValue(it->second.value);
    if (!decoded.ok()) {
      return Error::InvalidArgument("Header mismatch: " + header + ": " + decoded.error().message);
    }
    if (std::string why = Compare(decoded.value(), *value, p); !why.empty()) {
      return Error::InvalidArgument(
          "Header mismatch: " + header + " " +
          (why == "does not match" ? "does not match " + param : "(" + param + ") " + why));
    }
  }
  return Ok();
}

Status CheckMcpNameHeader(const std::string* header, const std::string& name, std::string_view field) {
  if (!header) {
    return Error::InvalidArgument("Header mismatch: the Mcp-Name header is missing");
  }
  auto decoded = DecodeHeaderValue(*header);
  if (!decoded.ok()) {
    return Error::InvalidArgument("Header mismatch: Mcp-Name: " + decoded.error().message);
  }
  if (decoded.value() != name) {
    return Error::InvalidArgument("Header mismatch: the Mcp-Name header does not match params." +
                                  std::string(field));
  }
  return Ok();
}

}  // namespace lmcp::mcp

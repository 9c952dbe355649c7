// libFuzzer target: the bounded JSON parser (common/json.h) on arbitrary bytes, at the default limit and at
// a small one (so the limit itself is reached often), checked against nlohmann's own validator and an
// independent nesting count; whatever parses then goes through JSON-RPC classification and serialization,
// which recurse once per level and so must only ever see bounded values.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/json.h"
#include "jsonrpc/message.h"

namespace {

namespace rpc = lmcp::jsonrpc;

// The deepest nesting of a text that nlohmann accepts (so brackets outside strings pair up).
std::size_t TextDepth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

void Check(std::string_view text, std::size_t max_depth, bool valid, std::size_t depth) {
  auto parsed = lmcp::ParseJson(text, max_depth);
  if (!valid) {
    if (parsed.ok()) {
      std::abort();  // accepted what nlohmann's validator refuses
    }
    return;
  }
  if (parsed.ok() != (depth <= max_depth)) {
    std::abort();  // the limit is off by one, or a valid document was refused
  }
  if (!parsed.ok()) {
    if (!lmcp::IsJsonTooDeep(parsed.error())) {
      std::abort();  // a valid but deep document must be refused as too deep, not as a syntax error
    }
    return;
  }
  // Bounded values are safe to copy, compare and serialize.
  rpc::Json value = std::move(parsed).value();
  std::string again = rpc::Serialize(value);
  auto reparsed = rpc::ParseJson(again);
  if (!std::holds_alternative<rpc::Json>(reparsed)) {
    std::abort();  // serialization changed the depth or produced invalid JSON
  }
  if (value.is_array()) {
    for (rpc::Json& element : value) {
      auto classified = rpc::Classify(std::move(element));
      if (auto* m = std::get_if<rpc::Message>(&classified);
          m != nullptr && m->kind == rpc::MessageKind::kRequest) {
        (void)rpc::IdKey(m->id);
      }
    }
  } else {
    (void)rpc::Classify(std::move(value));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // accept() is iterative (it builds no value), so it is safe at any depth; it takes a NUL for the end of the
  // input, which ParseJson refuses, so a NUL anywhere makes the text invalid here too.
  bool valid = nlohmann::json::accept(text) && text.find('\0') == std::string_view::npos;
  std::size_t depth = valid ? TextDepth(text) : 0;
  Check(text, lmcp::kMaxJsonDepth, valid, depth);
  Check(text, 3, valid, depth);
  return 0;
}

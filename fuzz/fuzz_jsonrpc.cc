// libFuzzer target: JSON-RPC parsing and classification of arbitrary text, and re-serialisation of
// whatever parses (which must parse again to an equal value).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "jsonrpc/message.h"

namespace rpc = lmcp::jsonrpc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = rpc::ParseJson(text);
  if (auto* json = std::get_if<rpc::Json>(&parsed)) {
    auto check = [](const rpc::Json& element) {
      auto classified = rpc::Classify(element);
      if (auto* m = std::get_if<rpc::Message>(&classified)) {
        if (m->kind == rpc::MessageKind::kRequest) {
          (void)rpc::IdKey(m->id);
        }
      }
    };
    if (json->is_array()) {
      for (const auto& element : *json) {
        check(element);
      }
    } else {
      check(*json);
    }
    std::string again = rpc::Serialize(*json);
    auto reparsed = rpc::ParseJson(again);
    if (!std::holds_alternative<rpc::Json>(reparsed)) {
      std::abort();  // Serialize produced invalid JSON
    }
  }
  return 0;
}

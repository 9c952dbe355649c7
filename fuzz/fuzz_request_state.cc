// libFuzzer target: the client-controlled inputs of MCP 2026-07-28 that lambda-mcp parses itself: an MRTR
// requestState (opened by RequestStateSealer: base64url, AES-GCM, JSON), an x-mcp-header value (plain or
// base64 sentinel) and an inputSchema's x-mcp-header annotations. None may crash; a state that was not
// sealed by the key must never open.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/clock.h"
#include "common/json.h"
#include "fuzz/fuzz_input.h"
#include "mcp/request_state.h"
#include "mcp/x_mcp_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lmcp::mcp::RequestStateSealer sealer(std::string(32, 'k'), lmcp::Clock::System(),
                                                    std::chrono::minutes(10));
  lmcp::fuzz::FuzzInput in(data, size);
  std::string state = in.String(4096);
  std::string header = in.String(1024);
  std::string rest = in.Rest();
  auto opened = sealer.Open({"p", "tool", "digest"}, state);
  if (opened.ok() && state.rfind("lmcp1.", 0) != 0) {
    std::abort();  // only our sealing opens
  }
  (void)lmcp::mcp::DecodeHeaderValue(header);
  auto schema = lmcp::ParseJson(rest);
  if (schema.ok()) {
    lmcp::mcp::Json copy = *schema;
    (void)lmcp::mcp::ScanHeaderParams(*schema);
    (void)lmcp::mcp::RemoveInvalidHeaderParams(copy);
    if (!lmcp::mcp::ScanHeaderParams(copy).invalid.empty()) {
      std::abort();  // removing the invalid annotations leaves none
    }
  }
  return 0;
}

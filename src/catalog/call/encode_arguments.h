#pragma once
// Stage: serializes the client's arguments once (invalid UTF-8 replaced). The text is what the audit line
// hashes and, unless compat mode sends a member of the arguments, the event itself: it is moved into the
// Invoke request, never copied.

#include "catalog/call/call.h"

namespace lmcp::catalog {

class EncodeArguments final : public CallStage {
 public:
  std::string_view name() const override { return "encode_arguments"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
};

// The one way the call path turns JSON into text.
std::string DumpJson(const mcp::Json& value);

}  // namespace lmcp::catalog

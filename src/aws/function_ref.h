#pragma once
// A Lambda function reference, in the forms Lambda's API accepts for FunctionName:
//   name                                               my-function
//   name:qualifier                                     my-function:prod
//   partial ARN  account:function:name[:qualifier]     123456789012:function:my-function
//   full ARN     arn:partition:lambda:region:account:function:name[:qualifier]
// The one parser for FUNCTION_LIST entries, discovered function ARNs and the emulator's request paths.
// Pure functions.

#include <string>
#include <string_view>

#include "common/result.h"

namespace lmcp::aws {

struct FunctionRef {
  enum class Form { kName, kPartialArn, kFullArn };

  std::string raw;  // the text parsed
  Form form = Form::kName;
  std::string name;
  std::string qualifier;  // version or alias; "" = none given
  std::string partition;  // from a full ARN, else ""
  std::string region;     // from a full ARN, else ""
  std::string account;    // from a full or partial ARN, else ""

  bool is_arn() const { return form != Form::kName; }
  bool operator==(const FunctionRef&) const = default;
};

// kInvalidArgument naming what is wrong: not one of the forms above (another service's ARN, too many
// parts), a name outside [A-Za-z0-9_-]{1,170}, a qualifier outside $LATEST|[A-Za-z0-9_-]{1,128}, an
// account that is not 12 digits. "name:" is the name with no qualifier.
Result<FunctionRef> ParseFunctionRef(std::string_view text);

// $LATEST, or 1 to 128 letters, digits, '-' or '_' (a version number or an alias name).
bool IsValidQualifier(std::string_view qualifier);

}  // namespace lmcp::aws

#include "aws/function_ref.h"

#include <algorithm>
#include <vector>

namespace lmcp::aws {
namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool IsWord(std::string_view s, std::size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), IsNameChar);
}

bool IsAccount(std::string_view s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string_view> SplitColons(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    std::size_t colon = text.find(':');
    parts.push_back(text.substr(0, colon));
    if (colon == std::string_view::npos) {
      return parts;
    }
    text.remove_prefix(colon + 1);
  }
}

Error Invalid(std::string_view text, const std::string& why) {
  return Error::InvalidArgument("function reference '" + std::string(text) + "': " + why);
}

}  // namespace

bool IsValidQualifier(std::string_view qualifier) { return qualifier == "$LATEST" || IsWord(qualifier, 128); }

Result<FunctionRef> ParseFunctionRef(std::string_view text) {
  FunctionRef ref;
  ref.raw = std::string(text);
  std::vector<std::string_view> parts = SplitColons(text);
  std::size_t qualifier_at = 0;  // index of the qualifier part when present
  if (parts.size() >= 7 && parts[0] == "arn") {
    if (parts[2] != "lambda" || parts[5] != "function" || parts.size() > 8) {
      return Invalid(text, "not a Lambda function ARN (arn:partition:lambda:region:account:function:name)");
    }
    ref.form = FunctionRef::Form::kFullArn;
    ref.partition = parts[1];
    ref.region = parts[3];
    ref.account = parts[4];
    ref.name = parts[6];
    qualifier_at = 7;
  } else if (parts.size() >= 3 && parts[1] == "function") {
    if (parts.size() > 4) {
      return Invalid(text, "too many parts for a partial ARN (account:function:name[:qualifier])");
    }
    ref.form = FunctionRef::Form::kPartialArn;
    ref.account = parts[0];
    ref.name = parts[2];
    qualifier_at = 3;
  } else if (parts.size() <= 2) {
    ref.name = parts[0];
    qualifier_at = 1;
  } else {
    return Invalid(text, "not a function name, name:qualifier or function ARN");
  }
  if (parts.size() > qualifier_at) {
    ref.qualifier = parts[qualifier_at];
  }
  if (!IsWord(ref.name, 170)) {
    return Invalid(text, "the name must be 1 to 170 letters, digits, '-' or '_'");
  }
  if (!ref.qualifier.empty() && !IsValidQualifier(ref.qualifier)) {
    return Invalid(text, "the qualifier must be $LATEST or 1 to 128 letters, digits, '-' or '_'");
  }
  if (ref.is_arn() && !ref.account.empty() && !IsAccount(ref.account)) {
    return Invalid(text, "the account must be 12 digits");
  }
  return ref;
}

}  // namespace lmcp::aws

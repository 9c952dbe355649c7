#pragma once
// Bounded JSON parsing: the one way text from outside (clients, Lambda functions, AWS, key servers, config)
// becomes a JSON value. nlohmann's parser is iterative, but copying, dumping and comparing a value recurse
// once per nesting level, so a value nested tens of thousands of levels deep crashes whatever touches it
// next. ParseJson refuses such input while parsing (it counts depth as it goes and stops at the first level
// past the limit, so a deep document costs no more than its first max_depth + 1 levels), and never builds
// the over-deep value. Pure functions; safe from any thread.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/result.h"

namespace lmcp {

// The default nesting limit: 128 levels of objects and arrays ("[]" is 1 level, a scalar 0).
inline constexpr std::size_t kMaxJsonDepth = 128;

// Parses one JSON document (strict: no comments, nothing but whitespace after it, no NUL byte anywhere,
// valid UTF-8).
// Errors: kResourceExhausted when it is nested deeper than max_depth ("JSON is nested deeper than 128
// levels"); kInvalidArgument for a syntax or encoding error (nlohmann's message, with its position).
Result<nlohmann::json> ParseJson(std::string_view text, std::size_t max_depth = kMaxJsonDepth);
// The same, keeping the order of object members.
Result<nlohmann::ordered_json> ParseOrderedJson(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

// True when `error` is ParseJson's "nested too deep" refusal, as opposed to a syntax error.
bool IsJsonTooDeep(const Error& error);

// For callers that treat every failure alike: the value, or a discarded value (is_discarded()) when
// ParseJson fails for any reason.
nlohmann::json ParseJsonOrDiscarded(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

}  // namespace lmcp

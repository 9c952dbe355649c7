#pragma once
// A schema as valijson 1.0 needs it to validate right, and the keywords lambda-mcp adds to valijson where its
// own are wrong or missing: "x-lmcp-pattern" (ECMAScript over code points, not UTF-8 bytes),
// "x-lmcp-multipleOf" (a decimal divisor checked to the precision of a double, not to a fixed epsilon) and
// "x-lmcp-contains" (minContains/maxContains). schema_dialect.cc writes the validator's copy of a schema with
// these. Pure functions.

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "common/result.h"

namespace valijson {
class SchemaParser;
}

namespace lmcp::catalog {

// A $ref to `pointer` (a JSON pointer into the validator's copy) written so valijson resolves it (it
// percent-decodes each token and skips empty ones). kFailedPrecondition ("at <at>: ...") when it cannot be.
Result<nlohmann::json> ValijsonRef(const std::string& pointer, const std::string& at);

// One keyword of a schema object at `at`, written to `out` for valijson when valijson gets it wrong:
// `pattern` → x-lmcp-pattern, a non-integer `multipleOf` → x-lmcp-multipleOf, a count written 2.0 → 2. True
// when written; false when the caller copies it. kFailedPrecondition: a `pattern` std::wregex cannot compile,
// or a patternProperties pattern that std::regex cannot compile or could judge a non-ASCII name differently.
Result<bool> ForValijson(const std::string& k, const nlohmann::json& v, const std::string& at,
                         nlohmann::json& out);

// A draft-07/draft-04 schema (at `at` in its document) rewritten in place: ForValijson on every keyword, and
// each propertyNames made a $ref to a copy beside it (valijson files a propertyNames subschema under its
// parent's cache key and so validates names against the parent).
Status FixDraft7(nlohmann::json& s, const std::string& at);

// Thrown out of valijson's parser by a keyword that cannot validate this schema (not an invalid schema).
struct UnsupportedByValidator : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Registers the keywords on `parser`, which parses `document`: x-lmcp-pattern, x-lmcp-multipleOf, and
// x-lmcp-contains ({"$ref": <its subschema in document>, "min": n, "max": m}: minContains/maxContains).
// `document` must outlive the parse.
void AddLmcpKeywords(valijson::SchemaParser& parser, const nlohmann::json& document);

// Whether std::wregex (ECMAScript) compiles `pattern` (UTF-8).
bool WideRegexCompiles(const std::string& pattern);

// `token` as one JSON Pointer token (~ and / escaped).
std::string PointerToken(const std::string& token);
// kFailedPrecondition "at <pointer>: <what>": the schema uses something that is not supported.
Error UnsupportedAt(const std::string& pointer, const std::string& what);

}  // namespace lmcp::catalog

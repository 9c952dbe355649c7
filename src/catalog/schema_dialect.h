#pragma once
// JSON Schema dialects for argument validation. The validator (valijson 1.0) implements draft-04 and
// draft-07. A 2020-12 schema (MCP's default dialect when `$schema` is absent) is rewritten into a draft-07
// schema that gives the same verdict on every instance, or refused naming the keyword and place that cannot
// be carried over. The rewritten copy only feeds the validator: the schema published in tools/list is never
// changed. Pure functions.

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace lmcp::catalog {

enum class SchemaDialect { kDraft4, kDraft7, k2020_12 };

// Bounds on a schema the validator takes (MCP "Composition-Keyword Resource Use"): nesting of subschemas
// and their total count.
inline constexpr int kMaxSchemaDepth = 64;
inline constexpr int kMaxSubschemas = 10000;

// The dialect `$schema` declares; 2020-12 when there is none. draft-06 is validated as draft-07 (as before).
// kInvalidArgument: `$schema` is not a string. kFailedPrecondition: a dialect not validated here (2019-09,
// draft-03, an unknown URI); the message lists the supported ones.
Result<SchemaDialect> DeclaredDialect(const nlohmann::json& schema);

// kFailedPrecondition when `schema` nests JSON deeper than kMaxSchemaDepth or holds more than kMaxSubschemas
// objects; any dialect.
Status CheckSchemaBounds(const nlohmann::json& schema);

// A 2020-12 schema as a draft-07 schema with the same verdicts: prefixItems/items → items/additionalItems,
// dependentRequired/dependentSchemas → dependencies, a $ref with siblings → allOf, $anchor and $dynamicRef
// (one schema resource) → JSON pointers, format dropped (an annotation in 2020-12), unevaluated* only where
// it equals additional*, and PrepareDraft7's rewrites. Errors:
// - kInvalidArgument: invalid in 2020-12 (items as an array, a $ref to nothing, an unknown anchor), or a $ref
//   to another document (never fetched: MCP forbids dereferencing network URIs).
// - kFailedPrecondition: valid, but not validated here: unevaluatedProperties/Items next to applicators,
//   minContains/maxContains, schema resources embedded with $id, the keywords 2020-12 dropped (dependencies,
//   additionalItems, $recursiveRef, $recursiveAnchor), or CheckSchemaBounds.
Result<nlohmann::json> ToDraft7(const nlohmann::json& schema);

// A draft-07 or draft-04 schema as valijson needs it: `pattern` over code points and a decimal `multipleOf`
// (valijson_keywords.h), counts written as 2.0, propertyNames that valijson would confuse with its parent.
// kFailedPrecondition: a pattern the validator cannot run as ECMAScript, or CheckSchemaBounds.
Result<nlohmann::json> PrepareDraft7(const nlohmann::json& schema);

}  // namespace lmcp::catalog

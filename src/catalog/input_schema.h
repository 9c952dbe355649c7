#pragma once
// Schema Registry schemas as MCP inputSchema: ARN parsing, conversion of a JSON Schema document or an
// OpenAPI 3 document's component into a self-contained object schema, and argument validation (valijson) in
// the schema's declared dialect: 2020-12 when `$schema` is absent (MCP's default), draft-07/06 or draft-04.
// ArgumentValidator is immutable after Create and safe to use from many threads.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog/lambda_backend.h"
#include "common/result.h"

namespace lmcp::catalog {

using Json = nlohmann::json;

// arn:<partition>:schemas:<region>:<account>:schema/<registry>/<name>[/<version>]
struct SchemaArn {
  std::string partition;
  std::string region;
  std::string account;
  std::string registry;
  std::string name;
  std::string version;  // "" = latest
  std::string ToString() const;
};
Result<SchemaArn> ParseSchemaArn(const std::string& arn);

// The open schema used when a function has no registry schema: any object is the event.
Json OpenInputSchema();

// A registry document → an inputSchema (type object at the root). JSON Schema documents are used as they
// are; for OpenAPI 3 the event component is chosen (the one no other component references, else AWSEvent,
// else the one named like the schema) and the other components move to "definitions" with refs rewritten.
Result<Json> ToInputSchema(const SchemaDocument& doc, const std::string& schema_name = "");

class ArgumentValidator {
 public:
  // kInvalidArgument: the schema is invalid in its dialect or not self-contained (a $ref to another
  // document, never fetched). kFailedPrecondition: the schema is valid but its arguments cannot be validated
  // here (a dialect or 2020-12 keyword the validator lacks, or a schema past the size bounds; see
  // schema_dialect.h); the message names the keyword and where it is.
  static Result<std::shared_ptr<const ArgumentValidator>> Create(const Json& schema);
  ~ArgumentValidator();
  // Empty when valid; else one line per problem: "<json pointer>: <what is wrong>".
  std::vector<std::string> Validate(const Json& arguments) const;

 private:
  struct Impl;
  explicit ArgumentValidator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmcp::catalog

#pragma once
// One validation problem as a model can act on it: the argument's path, what the schema asks there (the
// pattern, the allowed values, the expected type, the allowed properties) and the value that failed, in one
// line. Pure functions over the schema, the arguments and one validator error.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lmcp::catalog {

// `context` is the validator's path ("<root>", "[customer]", "[0]", ...), `description` its sentence. Returns
// "path: problem", or nullopt for a line that only repeats a deeper one ("Failed to validate against schema
// associated with property name 'x'."), which the caller drops when other lines remain.
std::optional<std::string> DescribeProblem(const nlohmann::json& schema, const nlohmann::json& arguments,
                                           const std::vector<std::string>& context,
                                           const std::string& description);

}  // namespace lmcp::catalog

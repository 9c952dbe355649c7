#include "catalog/tool_annotations.h"

#include <optional>

#include "catalog/target_checks.h"
#include "common/strings.h"

namespace lmcp::catalog {
namespace {

struct Hint {
  const char* tag;
  const char* annotation;
  std::optional<bool> ToolOverride::*field;
};

constexpr Hint kHints[] = {
    {kReadOnlyTag, "readOnlyHint", &ToolOverride::read_only},
    {kDestructiveTag, "destructiveHint", &ToolOverride::destructive},
    {kIdempotentTag, "idempotentHint", &ToolOverride::idempotent},
    {kOpenWorldTag, "openWorldHint", &ToolOverride::open_world},
};

}  // namespace

void ApplyToolAnnotations(const TargetOptions& target, const std::string& function_name, const Tags& tags,
                          mcp::ToolDefinition& definition, std::vector<std::string>& warnings) {
  std::vector<const ToolOverride*> overrides;
  for (const auto& o : target.tools) {
    if (GlobMatch(o.function, function_name)) {
      overrides.push_back(&o);
    }
  }
  mcp::Json annotations = mcp::Json::object();
  if (auto t = tags.find(kTitleTag); t != tags.end() && !t->second.empty()) {
    definition.title = t->second;
  } else {
    for (const ToolOverride* o : overrides) {
      if (!o->title.empty()) {
        definition.title = o->title;
        break;
      }
    }
  }
  if (!definition.title.empty()) {
    annotations["title"] = definition.title;
  }
  for (const Hint& h : kHints) {
    std::optional<bool> value;
    if (auto t = tags.find(h.tag); t != tags.end()) {
      std::string v = AsciiLower(Trim(t->second));
      if (v == "true" || v == "false") {
        value = v == "true";
      } else {
        warnings.push_back("function " + function_name + ": tag " + h.tag + "=\"" + t->second +
                           "\" is not true or false; ignored");
      }
    }
    for (std::size_t i = 0; !value && i < overrides.size(); ++i) {
      value = overrides[i]->*h.field;
    }
    if (value) {
      annotations[h.annotation] = *value;
    }
  }
  definition.annotations = annotations.empty() ? mcp::Json() : annotations;
}

}  // namespace lmcp::catalog

#include "catalog/tool_execution.h"

#include <optional>

#include "common/strings.h"

namespace lmcp::catalog {
namespace {

// The tag's value, trimmed; nullopt when the function does not carry it.
std::optional<std::string> TagValue(const Tags& tags, const char* key) {
  auto it = tags.find(key);
  if (it == tags.end()) {
    return std::nullopt;
  }
  return std::string(Trim(it->second));
}

std::string BadTag(const std::string& function, const char* tag, const std::string& value,
                   const std::string& allowed) {
  return "function " + function + ": tag " + tag + "=\"" + value + "\" is not " + allowed + "; ignored";
}

InvocationType ReadInvocationType(const ToolEntry& e, std::vector<std::string>& warnings) {
  auto value = TagValue(e.tags, kInvocationTypeTag);
  if (!value || *value == "RequestResponse") {
    return InvocationType::kRequestResponse;
  }
  if (*value == "Event") {
    return InvocationType::kEvent;
  }
  warnings.push_back(
      BadTag(e.function.name, kInvocationTypeTag, *value, "Event or RequestResponse (as AWS spells them)"));
  return InvocationType::kRequestResponse;
}

// The tag's task support, else the first matching override's, else by the function's Timeout.
mcp::TaskSupport ReadTaskSupport(const TargetOptions& target, std::chrono::seconds optional_over,
                                 const ToolEntry& e, std::vector<std::string>& warnings) {
  if (auto value = TagValue(e.tags, kTaskSupportTag)) {
    if (auto parsed = mcp::ParseTaskSupport(AsciiLower(*value))) {
      return *parsed;
    }
    warnings.push_back(BadTag(e.function.name, kTaskSupportTag, *value, "forbidden, optional or required"));
  }
  for (const ToolOverride& o : target.tools) {
    if (o.task_support && GlobMatch(o.function, e.function.name)) {
      return *o.task_support;
    }
  }
  return std::chrono::seconds(e.function.timeout_seconds) > optional_over ? mcp::TaskSupport::kOptional
                                                                          : mcp::TaskSupport::kForbidden;
}

bool ReadTaskAfterInput(const ToolEntry& e, std::vector<std::string>& warnings) {
  auto value = TagValue(e.tags, kTaskAfterInputTag);
  if (!value) {
    return false;
  }
  std::string v = AsciiLower(*value);
  if (v != "true" && v != "false") {
    warnings.push_back(BadTag(e.function.name, kTaskAfterInputTag, *value, "true or false"));
  }
  return v == "true";
}

}  // namespace

void ApplyToolExecution(const TargetOptions& target, std::chrono::seconds task_optional_over,
                        ToolEntry& entry, std::vector<std::string>& warnings) {
  mcp::ToolDefinition& d = entry.definition;
  entry.invocation_type = ReadInvocationType(entry, warnings);
  if (entry.invocation_type == InvocationType::kEvent) {
    // Lambda answers an Event invoke at once: there is nothing to wait for, so never a task.
    for (const char* tag : {kTaskSupportTag, kTaskAfterInputTag}) {
      if (entry.tags.count(tag) != 0) {
        warnings.push_back("function " + entry.function.name + ": tag " + tag + " ignored: with " +
                           kInvocationTypeTag + "=Event the call returns at once and never runs as a task");
      }
    }
    d.task_support = mcp::TaskSupport::kForbidden;
    d.input_before_task = false;
    return;
  }
  d.task_support = ReadTaskSupport(target, task_optional_over, entry, warnings);
  d.input_before_task = ReadTaskAfterInput(entry, warnings);
}

}  // namespace lmcp::catalog

#include "mcp/protocol.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "common/base64.h"

namespace lmcp::mcp {

const Revision* FindRevision(std::string_view version) {
  for (const Revision& revision : kRevisions) {
    if (revision.version == version) {
      return &revision;
    }
  }
  return nullptr;
}

const std::vector<std::string>& SupportedProtocolVersions() {
  static const std::vector<std::string> kVersions = [] {
    std::vector<std::string> versions;
    for (const Revision& revision : kRevisions) {
      versions.emplace_back(revision.version);
    }
    return versions;
  }();
  return kVersions;
}

const std::vector<std::string>& StatelessProtocolVersions() {
  static const std::vector<std::string> kVersions = [] {
    std::vector<std::string> versions;
    for (const Revision& revision : kRevisions) {
      if (revision.stateless) {
        versions.emplace_back(revision.version);
      }
    }
    return versions;
  }();
  return kVersions;
}

bool IsStateless(std::string_view version) {
  const Revision* revision = FindRevision(version);
  return revision != nullptr && revision->stateless;
}

bool IsInitializeRequest(const Json& message) {
  return jsonrpc::IsRequest(message) && message["method"] == kInitializeMethod;
}

bool IsSupportedProtocolVersion(std::string_view version) { return FindRevision(version) != nullptr; }

std::string NegotiateProtocolVersion(std::string_view requested) {
  if (IsSupportedProtocolVersion(requested) && !IsStateless(requested)) {
    return std::string(requested);
  }
  return std::string(kLatestProtocolVersion);
}

namespace {

// The value of one feature field for `version`; false when the version is not a supported revision.
bool Has(std::string_view version, bool Revision::*feature) {
  const Revision* revision = FindRevision(version);
  return revision != nullptr && revision->*feature;
}

}  // namespace

bool AllowsBatches(std::string_view version) { return Has(version, &Revision::batches); }
bool HasAudio(std::string_view version) { return Has(version, &Revision::audio); }
bool HasToolAnnotations(std::string_view version) { return Has(version, &Revision::tool_annotations); }
bool HasProgressMessage(std::string_view version) { return Has(version, &Revision::progress_message); }
bool HasStructuredContent(std::string_view version) { return Has(version, &Revision::structured_content); }
bool HasResourceLinks(std::string_view version) { return Has(version, &Revision::resource_links); }
bool HasIcons(std::string_view version) { return Has(version, &Revision::icons); }
bool HasTasks(std::string_view version) { return Has(version, &Revision::tasks); }

jsonrpc::BatchPolicy BatchPolicyFor(std::string_view version) {
  return {.allowed = AllowsBatches(version), .protocol_version = std::string(version)};
}

Json RenderTool(const ToolDefinition& tool, std::string_view version) {
  Json out{{"name", tool.name}};
  if (!tool.title.empty() && HasStructuredContent(version)) {
    out["title"] = tool.title;
  }
  out["description"] = tool.description;
  out["inputSchema"] = tool.input_schema.is_object() ? tool.input_schema : Json{{"type", "object"}};
  if (tool.output_schema && HasStructuredContent(version)) {
    out["outputSchema"] = *tool.output_schema;
  }
  if (tool.annotations.is_object() && HasToolAnnotations(version)) {
    Json annotations = tool.annotations;
    if (!HasStructuredContent(version)) {
      annotations.erase("title");
    }
    out["annotations"] = std::move(annotations);
  }
  if (tool.icons.is_array() && HasIcons(version)) {
    out["icons"] = tool.icons;
  }
  if (tool.meta.is_object() && HasStructuredContent(version)) {
    out["_meta"] = tool.meta;
  }
  if (tool.task_support != TaskSupport::kForbidden && HasTasks(version)) {
    out["execution"] = {{"taskSupport", TaskSupportName(tool.task_support)}};
  }
  return out;
}

jsonrpc::RpcError ToolCallError(const std::string& tool, const Error& error) {
  if (error.code == ErrorCode::kNotFound) {
    return jsonrpc::RpcError::InvalidParams("Unknown tool: " + tool);
  }
  if (error.code == ErrorCode::kInvalidArgument) {
    return jsonrpc::RpcError::InvalidParams("Invalid params: " + error.message);
  }
  return jsonrpc::RpcError::Internal("tools/call " + tool + " failed: " + error.ToString());
}

namespace {

std::string StringField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A block the negotiated version cannot carry becomes a short text block, so the model still learns of it.
Json DowngradeBlock(Json block, std::string_view version) {
  if (!block.is_object()) {
    return Json{{"type", "text"}, {"text", block.dump()}};
  }
  std::string type = StringField(block, "type");
  if (type == "audio" && !HasAudio(version)) {
    return Json{{"type", "text"},
                {"text", "[audio content (" + StringField(block, "mimeType") +
                             ") omitted: protocol version " + std::string(version) + " has no audio]"}};
  }
  if (type == "resource_link" && !HasResourceLinks(version)) {
    return Json{{"type", "text"}, {"text", "Resource: " + StringField(block, "uri")}};
  }
  Json out = std::move(block);
  if (!HasStructuredContent(version)) {
    out.erase("title");
    if (out.contains("resource") && out["resource"].is_object()) {
      out["resource"].erase("title");
    }
  }
  return out;
}

}  // namespace

Json RenderToolResult(ToolResult result, std::string_view version) {
  Json content = Json::array();
  if (result.content.is_array()) {
    for (Json& block : result.content) {
      content.push_back(DowngradeBlock(std::move(block), version));
    }
  }
  Json out;
  if (result.structured_content && !HasStructuredContent(version) && content.empty()) {
    // Older clients only read content: serialize the structured result there.
    content.push_back(Json{{"type", "text"}, {"text", result.structured_content->dump()}});
  }
  out["content"] = std::move(content);
  if (result.structured_content && HasStructuredContent(version)) {
    out["structuredContent"] = std::move(*result.structured_content);
  }
  if (result.is_error) {
    out["isError"] = true;
  }
  return out;
}

namespace {

constexpr std::string_view kCursorPrefix = "lmcp1:";

}  // namespace

std::string EncodeCursor(size_t offset) {
  return Base64UrlEncode(std::string(kCursorPrefix) + std::to_string(offset));
}

std::optional<size_t> DecodeCursor(std::string_view cursor) {
  auto raw = Base64UrlDecode(cursor);
  if (!raw.ok() || raw->size() <= kCursorPrefix.size() ||
      raw->compare(0, kCursorPrefix.size(), kCursorPrefix) != 0) {
    return std::nullopt;
  }
  std::string_view digits = std::string_view(*raw).substr(kCursorPrefix.size());
  size_t offset = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return offset;
}

}  // namespace lmcp::mcp

#include "catalog/result_mapping.h"

#include <cstdio>
#include <utility>

#include "aws/aws_error.h"
#include "catalog/input_required.h"
#include "common/json.h"
#include "common/strings.h"
#include "mcp/protocol.h"

namespace lmcp::catalog {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

mcp::ToolResult TextResult(std::string text, bool is_error) {
  mcp::ToolResult r;
  r.content = Json::array({Json{{"type", "text"}, {"text", std::move(text)}}});
  r.is_error = is_error;
  return r;
}

// Cuts at a UTF-8 boundary at or below max bytes and appends a notice.
std::string CapText(std::string text, std::size_t max) {
  if (text.size() <= max) {
    return text;
  }
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return text.substr(0, cut) + "\n[lambda-mcp: result truncated: " + std::to_string(cut) + " of " +
         std::to_string(text.size()) + " bytes shown; raise LAMBDA_MCP_MAX_RESULT_BYTES to see more]";
}

std::string SniffImageMime(const std::string& b) {
  auto starts = [&](const char* magic, std::size_t n) {
    return b.size() >= n && b.compare(0, n, magic, n) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n", 8)) {
    return "image/png";
  }
  if (starts("\xff\xd8\xff", 3)) {
    return "image/jpeg";
  }
  if (starts("GIF87a", 6) || starts("GIF89a", 6)) {
    return "image/gif";
  }
  if (b.size() >= 12 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0) {
    return "image/webp";
  }
  return "";
}

bool IsMcpContent(const Json& v) {
  if (!v.is_object() || !v.contains("content") || !v["content"].is_array()) {
    return false;
  }
  for (const auto& block : v["content"]) {
    if (!block.is_object() || !block.contains("type") || !block["type"].is_string()) {
      return false;
    }
  }
  return true;
}

std::string FunctionLabel(const ResultContext& ctx) {
  return ctx.qualifier.empty() ? ctx.function : ctx.function + ":" + ctx.qualifier;
}

// A result too deep to handle safely (copying or serializing it would recurse once per level).
mcp::ToolResult TooDeep(const ResultContext& ctx) {
  return TextResult("Lambda function " + FunctionLabel(ctx) + " ran, but its result is nested deeper than " +
                        std::to_string(kMaxJsonDepth) +
                        " levels of JSON objects and arrays, which lambda-mcp does not pass on. Return a "
                        "flatter result (or that part of it as a string).",
                    true);
}

std::string TrimStack(const Json& stack) {
  std::string out;
  int lines = 0;
  auto add = [&](const std::string& line) {
    if (lines++ < 10) {
      out += "\n  " + line;
    }
  };
  if (stack.is_array()) {
    for (const auto& frame : stack) {
      if (frame.is_string()) {
        add(frame.get<std::string>());
      } else {
        add(frame.dump());
      }
    }
  } else if (stack.is_string()) {
    add(stack.get<std::string>());
  }
  if (lines > 10) {
    out += "\n  ... (" + std::to_string(lines - 10) + " more)";
  }
  return out;
}

mcp::ToolResult MapFunctionError(const InvokeResponse& resp, const ResultContext& ctx) {
  if (ctx.compat_reference) {
    std::string s = "Function " + ctx.function + " returned with error: " + resp.function_error;
    mcp::ToolResult r = TextResult(s, false);
    r.structured_content = Json{{"result", s}};
    return r;
  }
  // Over-deep or not JSON: no errorType/errorMessage, so the raw payload is shown below.
  Json body;
  if (auto parsed = ParseJson(resp.payload); parsed.ok()) {
    body = std::move(parsed).value();
  }
  std::string type, message;
  Json stack;
  if (body.is_object()) {
    if (body.contains("errorType") && body["errorType"].is_string()) {
      type = body["errorType"];
    }
    if (body.contains("errorMessage") && body["errorMessage"].is_string()) {
      message = body["errorMessage"];
    }
    if (body.contains("stackTrace")) {
      stack = body["stackTrace"];
    } else if (body.contains("trace")) {
      stack = body["trace"];
    }
  }
  std::string text = "Lambda function " + FunctionLabel(ctx) + " failed (" + resp.function_error + " error)";
  if (!type.empty()) {
    text += "\nerrorType: " + type;
  }
  if (!message.empty()) {
    text += "\nerrorMessage: " + message;
  }
  if (type.empty() && message.empty()) {
    text += "\npayload: " + (IsValidUtf8(resp.payload) ? resp.payload : PythonBytesRepr(resp.payload));
  }
  if (!stack.is_null()) {
    text += "\nstackTrace:" + TrimStack(stack);
  }
  if (!resp.log_tail.empty()) {
    text += "\nlog tail:\n" + resp.log_tail;
  }
  mcp::ToolResult r = TextResult(CapText(std::move(text), ctx.max_text_bytes), true);
  if (mcp::HasStructuredContent(ctx.protocol_version)) {
    Json sc = {{"functionError", resp.function_error}, {"errorType", type}, {"errorMessage", message}};
    if (!resp.request_id.empty()) {
      sc["requestId"] = resp.request_id;
    }
    r.structured_content = sc;
  }
  return r;
}

mcp::ToolResult MapCompatSuccess(const InvokeResponse& resp, const ResultContext& ctx) {
  std::string s;
  Result<OrderedJson> parsed = IsValidUtf8(resp.payload)
                                   ? ParseOrderedJson(resp.payload)
                                   : Result<OrderedJson>(Error::InvalidArgument("bytes"));
  if (!parsed.ok() && IsJsonTooDeep(parsed.error())) {
    return TooDeep(ctx);
  }
  if (parsed.ok()) {
    s = "Function " + ctx.function + " returned: " + parsed->dump(2, ' ', true);
  } else {
    s = "Function " + ctx.function + " returned payload: " + PythonBytesRepr(resp.payload);
  }
  mcp::ToolResult r = TextResult(s, false);
  r.structured_content = Json{{"result", s}};
  return r;
}

// AWS messages arrive as "<Code>: <Message>": {code, message}; no code when the message has none.
std::pair<std::string, std::string> SplitAwsCode(const std::string& text) {
  auto colon = text.find(": ");
  if (colon != std::string::npos && colon < 64 && text.find(' ') > colon) {
    return {text.substr(0, colon), text.substr(colon + 2)};
  }
  return {"", text};
}

// Lambda's 429: its Reason (aws_lambda_backend.cc adds "(reason X)") says which limit.
std::string ThrottledText(const std::string& fn, const std::string& message) {
  std::string why;
  if (message.find("reason ReservedFunction") != std::string::npos) {
    why =
        ": the function's reserved concurrency is used up. Try again shortly, or raise its reserved "
        "concurrency";
  } else if (message.find("reason ConcurrentInvocationLimitExceeded") != std::string::npos) {
    why = ": the account's concurrency limit in this region is reached. Try again shortly";
  } else if (message.find("RateLimitExceeded") != std::string::npos) {
    why = ": the invocation rate limit is reached. Try again shortly";
  } else {
    why = ". Try again shortly";
  }
  return "The call to Lambda function " + fn + " was throttled by Lambda (" + message + ")" + why +
         "; the function did not run.";
}

// Lambda's 413 RequestTooLargeException, or a response over the synchronous limit.
std::string TooLargeText(const std::string& fn, const std::string& code, const std::string& message) {
  if (code == "RequestTooLargeException" || code == "HTTP413") {
    return "The input for Lambda function " + fn + " is too large (" + message +
           "): Lambda accepts at most 6 MB for a synchronous call. Send a smaller input.";
  }
  return "Lambda function " + fn + " could not be called within a size limit (" + message +
         "): its input or its response is over 6 MB.";
}

}  // namespace

bool IsLambdaThrottle(const Error& error) {
  if (error.code != ErrorCode::kResourceExhausted) {
    return false;
  }
  const std::string code = SplitAwsCode(error.message).first;
  return aws::IsThrottlingCode(code) || code == "HTTP429";
}

bool IsValidUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

std::optional<std::string> PythonJsonDumpsIndent2(const std::string& json_text) {
  auto v = ParseOrderedJson(json_text);
  if (!v.ok()) {
    return std::nullopt;
  }
  return v->dump(2, ' ', true);
}

std::string PythonBytesRepr(const std::string& bytes) {
  bool has_single = bytes.find('\'') != std::string::npos;
  bool has_double = bytes.find('"') != std::string::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (unsigned char c : bytes) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += quote;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

mcp::ToolResult MapEventAccepted(const InvokeResponse& resp, const ResultContext& ctx) {
  const std::string id = resp.request_id.empty() ? "(none given)" : resp.request_id;
  mcp::ToolResult r = TextResult("Accepted: " + FunctionLabel(ctx) +
                                     " was invoked asynchronously (InvocationType=Event), request id " + id +
                                     "; its result is not returned.",
                                 false);
  if (mcp::HasStructuredContent(ctx.protocol_version)) {
    r.structured_content =
        Json{{"accepted", true}, {"requestId", resp.request_id}, {"invocationType", "Event"}};
  }
  return r;
}

mcp::ToolResult MapInvokeResponse(InvokeResponse resp, const ResultContext& ctx) {
  if (!resp.function_error.empty()) {
    return MapFunctionError(resp, ctx);
  }
  if (ctx.compat_reference) {
    if (resp.payload.find("input_required") != std::string::npos) {
      if (Result<Json> value = ParseJson(resp.payload); value.ok() && IsInputRequiredPayload(*value)) {
        return MapInputRequired(std::move(value).value(), ctx);
      }
    }
    return MapCompatSuccess(resp, ctx);
  }

  if (!IsValidUtf8(resp.payload)) {
    mcp::ToolResult r;
    std::string mime = SniffImageMime(resp.payload);
    if (!mime.empty()) {
      r.content =
          Json::array({Json{{"type", "image"}, {"data", Base64Encode(resp.payload)}, {"mimeType", mime}}});
    } else {
      r.content = Json::array({Json{{"type", "resource"},
                                    {"resource",
                                     {{"uri", "lambda://" + ctx.function + "/result"},
                                      {"mimeType", "application/octet-stream"},
                                      {"blob", Base64Encode(resp.payload)}}}}});
    }
    return r;
  }
  Result<Json> parsed = ParseJson(resp.payload);
  if (!parsed.ok()) {
    if (IsJsonTooDeep(parsed.error())) {
      return TooDeep(ctx);
    }
    return TextResult(CapText(std::move(resp.payload), ctx.max_text_bytes), false);
  }
  Json value = std::move(parsed).value();

  if (IsInputRequiredPayload(value)) {
    return MapInputRequired(std::move(value), ctx);
  }
  if (IsMcpContent(value)) {
    mcp::ToolResult r;
    r.content = std::move(value["content"]);
    if (value.contains("structuredContent") && value["structuredContent"].is_object() &&
        mcp::HasStructuredContent(ctx.protocol_version)) {
      r.structured_content = std::move(value["structuredContent"]);
    }
    if (value.contains("isError") && value["isError"].is_boolean()) {
      r.is_error = value["isError"].get<bool>();
    }
    return r;
  }
  if (value.is_object() && value.value("isBase64Encoded", false) == true && value.contains("body") &&
      value["body"].is_string()) {
    std::string mime;
    if (value.contains("headers") && value["headers"].is_object()) {
      for (const auto& [k, v] : value["headers"].items()) {
        if (IEquals(k, "content-type") && v.is_string()) {
          mime = v.get<std::string>();
        }
      }
    }
    auto decoded = Base64Decode(value["body"].get<std::string>());
    if (decoded && mime.starts_with("image/")) {
      mcp::ToolResult r;
      r.content = Json::array({Json{{"type", "image"}, {"data", value["body"]}, {"mimeType", mime}}});
      return r;
    }
  }
  // Only the text is capped: structuredContent, when the payload is an object, is always the whole value.
  mcp::ToolResult r = TextResult(CapText(std::move(resp.payload), ctx.max_text_bytes), false);
  if (value.is_object() && mcp::HasStructuredContent(ctx.protocol_version)) {
    r.structured_content = std::move(value);
  }
  return r;
}

mcp::ToolResult MapInvokeError(const Error& error, const ResultContext& ctx) {
  auto [code, message] = SplitAwsCode(error.message);
  if (ctx.compat_reference) {
    std::string text = "Error executing tool " + ctx.tool + ": ";
    if (!code.empty()) {
      text += "An error occurred (" + code + ") when calling the Invoke operation: " + message;
    } else {
      text += error.message;
    }
    return TextResult(text, true);
  }
  std::string fn = FunctionLabel(ctx);
  std::string text;
  switch (error.code) {
    case ErrorCode::kNotFound:
      text = "Lambda function " + fn + " was not found (" + error.message +
             "). It may have been deleted, or the alias/version does not exist.";
      break;
    case ErrorCode::kPermissionDenied:
      text = "Access denied invoking Lambda function " + fn + " (" + error.message +
             "). Grant lambda:InvokeFunction on " + ctx.function_arn + " to the credentials lambda-mcp uses.";
      break;
    case ErrorCode::kUnauthenticated:
      text = "AWS rejected lambda-mcp's credentials while invoking " + fn + " (" + error.message +
             "). Refresh the credentials (e.g. aws sso login) or check AWS_PROFILE.";
      break;
    case ErrorCode::kResourceExhausted:
      text =
          IsLambdaThrottle(error) ? ThrottledText(fn, error.message) : TooLargeText(fn, code, error.message);
      break;
    case ErrorCode::kTimeout:
      text = "No response from Lambda function " + fn + " within " + std::to_string(ctx.timeout_seconds) +
             " s. The function may still have run; lambda-mcp did not retry the call (" + error.message +
             ").";
      break;
    case ErrorCode::kUnavailable:
      text = "Lambda could not be reached to invoke " + fn + " (" + error.message +
             "). The call was not retried; try again.";
      break;
    case ErrorCode::kInvalidArgument:
      text = "Lambda rejected the call to " + fn + " (" + error.message + ").";
      break;
    default:
      text = "Invoking Lambda function " + fn + " failed (" + error.message + ").";
  }
  return TextResult(text, true);
}

}  // namespace lmcp::catalog

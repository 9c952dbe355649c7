#include "transport/http_policy.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "common/base64.h"
#include "common/strings.h"
#include "mcp/session_ticket.h"

namespace lmcp::transport {

bool AcceptsMediaType(std::string_view accept_header, std::string_view type) {
  std::string accept = AsciiLower(accept_header);
  std::string wanted = AsciiLower(type);
  std::string family = wanted.substr(0, wanted.find('/')) + "/*";
  std::string_view rest = accept;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    std::string_view media = Trim(item.substr(0, item.find(';')), kHttpWhitespace);
    if (media == wanted || media == family || media == "*/*") {
      // An explicit q=0 means "not acceptable".
      auto q = item.find("q=");
      if (q != std::string_view::npos) {
        std::string_view qv = Trim(item.substr(q + 2), kHttpWhitespace);
        if (qv == "0" || qv == "0.0" || qv == "0.00" || qv == "0.000") {
          continue;
        }
      }
      return true;
    }
  }
  return false;
}

bool IsJsonContentType(std::string_view content_type) {
  std::string media = AsciiLower(Trim(content_type.substr(0, content_type.find(';')), kHttpWhitespace));
  return media == "application/json";
}

bool IsValidSessionIdSyntax(std::string_view id) {
  if (id.empty() || id.size() > mcp::kMaxSessionIdBytes) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](unsigned char c) { return c >= 0x21 && c <= 0x7e; });
}

std::string NewSessionId() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // No entropy means no safe session ids; this is not recoverable.
    std::fputs("lambda-mcp: RAND_bytes failed, cannot make session ids\n", stderr);
    std::abort();
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace lmcp::transport

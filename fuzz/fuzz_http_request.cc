// libFuzzer target: the Streamable HTTP transport's request checks on arbitrary header values: Host and
// Origin allow-lists, Accept and Content-Type parsing, Mcp-Session-Id syntax, the Authorization header
// (static bearer token and JWT access tokens against a fixed JWKS). cpp-httplib itself parses the request
// line and framing; these are the parts of request handling that are ours.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/base64.h"
#include "fuzz/fixed_jwks.h"
#include "fuzz/fuzz_input.h"
#include "transport/http_auth.h"
#include "transport/http_policy.h"
#include "transport/jwt_verifier.h"

namespace tr = lmcp::transport;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lmcp::fuzz::FuzzInput in(data, size);
  std::string host = in.String(128);
  std::string origin = in.String(128);
  std::string accept = in.String(128);
  std::string content_type = in.String(128);
  std::string session_id = in.String(160);
  std::string authorization = in.Rest();

  tr::OriginPolicy policy;
  policy.allowed_origins = {"https://app.example.com"};
  policy.allowed_hosts = {"mcp.example.com"};
  (void)tr::HostName(host);
  (void)tr::IsLoopbackHostName(tr::HostName(host));
  (void)tr::IsAllowedHost(policy, host);
  (void)tr::IsAllowedOrigin(policy, origin);
  (void)tr::AcceptsMediaType(accept, "text/event-stream");
  (void)tr::AcceptsMediaType(accept, "application/json");
  (void)tr::IsJsonContentType(content_type);
  (void)tr::IsValidSessionIdSyntax(session_id);
  (void)lmcp::Base64UrlDecode(session_id);

  static tr::StaticTokenAuthenticator static_auth("s3cr3t-token");
  (void)static_auth.Authenticate(authorization);
  tr::JwtAuthenticator& jwt = lmcp::fuzz::FixedJwtAuthenticator();
  (void)jwt.Authenticate(authorization);
  (void)jwt.Verify(tr::BearerToken(authorization));
  return 0;
}

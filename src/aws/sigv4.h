#pragma once
// AWS Signature Version 4 (AWS4-HMAC-SHA256). Pure functions: no I/O, no clock (the time is an argument).
// Used by every AWS client to sign, and by the local Lambda endpoint (emulator/) to verify.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/http_types.h"
#include "common/result.h"

namespace lmcp::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;                                        // empty for long-term keys
  std::optional<std::chrono::system_clock::time_point> expiration;  // nullopt = never expires
};

struct SigningParams {
  std::string region;
  std::string service;                         // "lambda", "schemas", "tagging", "sts"
  std::chrono::system_clock::time_point time;  // X-Amz-Date
  bool normalize_path = true;                  // false only for S3
  bool double_encode_path = true;              // false only for S3
  bool presign = false;                        // query-string signing instead of the Authorization header
  std::chrono::seconds presign_expires{900};
  bool add_content_sha256_header = false;  // X-Amz-Content-Sha256 (S3 style)
  bool omit_session_token = false;         // sign without, then add the token (the aws-c-auth suites)
};

// Intermediate strings, exposed for the test suites and for diagnostics.
struct SigningArtifacts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lowercase hex
  std::string authorization;  // the Authorization header value (header signing)
};

// Signs `request` in place: adds X-Amz-Date, Host when missing, X-Amz-Security-Token when the credentials
// carry a session token, and Authorization (or the presign query parameters). Fails only on a malformed URL.
Result<SigningArtifacts> Sign(HttpRequest& request, const Credentials& credentials,
                              const SigningParams& params);

// X-Amz-Date is the ISO-8601 basic form: common/iso8601.h FormatIso8601Basic / ParseIso8601Basic.

// Looks up the secret for an access key id; nullopt when unknown.
using SecretLookup = std::function<std::optional<Credentials>(const std::string& access_key_id)>;

struct VerifiedCaller {
  std::string access_key_id;
  std::string region;
  std::string service;
};

// Server side: checks the Authorization header (or presigned query) of a received request the way AWS
// does: well-formed, known key (kUnauthenticated "UnrecognizedClientException"), matching signature over the
// signed headers it names (kUnauthenticated "InvalidSignatureException"), date within 5 minutes of `now`,
// session token matching when the credentials have one. `request.url` must be the URL as received.
// Error messages start with the AWS error code and ": " (InvalidSignatureException,
// UnrecognizedClientException, IncompleteSignatureException, MissingAuthenticationTokenException), so a
// server can answer like AWS.
Result<VerifiedCaller> Verify(const HttpRequest& request, const SecretLookup& lookup,
                              std::chrono::system_clock::time_point now);

}  // namespace lmcp::aws

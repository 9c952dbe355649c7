// libFuzzer target: SigV4 canonicalisation of arbitrary requests. Builds a request from the input (method,
// path, query, headers, body), signs it, and verifies it as the local endpoint would: every request the
// signer accepts must verify against the same credentials and time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "aws/sigv4.h"
#include "common/strings.h"
#include "fuzz/fuzz_input.h"

namespace aws = lmcp::aws;

namespace {

// Printable ASCII without space: what a client puts in an already-encoded path or query.
std::string UrlPart(lmcp::fuzz::FuzzInput& in, size_t max) {
  std::string raw = in.String(max);
  std::string out;
  for (unsigned char c : raw) {
    if (c > 0x20 && c < 0x7f && c != '#') {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string Token(lmcp::fuzz::FuzzInput& in, size_t max) {
  static const char kChars[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~";
  std::string out;
  size_t n = static_cast<size_t>(in.Int(1, static_cast<int>(max)));
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kChars[in.Int(0, static_cast<int>(sizeof(kChars)) - 2)]);
  }
  return out;
}

std::string HeaderValue(lmcp::fuzz::FuzzInput& in, size_t max) {
  std::string raw = in.String(max);
  std::string out;
  for (unsigned char c : raw) {
    if ((c >= 0x20 && c < 0x7f) || c == '\t') {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lmcp::fuzz::FuzzInput in(data, size);
  static const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"};
  aws::HttpRequest request;
  request.method = kMethods[in.Int(0, 5)];
  std::string host = in.Bool() ? "127.0.0.1:5077" : "lambda.us-east-1.amazonaws.com";
  std::string path = "/" + UrlPart(in, 200);
  size_t q = path.find('?');
  std::string query;
  if (q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  if (in.Bool()) {
    query = UrlPart(in, 100);
  }
  request.url = "http://" + host + path + (query.empty() ? "" : "?" + query);
  int headers = in.Int(0, 8);
  for (int i = 0; i < headers; ++i) {
    std::string name = Token(in, 20);
    if (lmcp::IEquals(name, "authorization") || lmcp::IEquals(name, "x-amz-date") ||
        lmcp::IEquals(name, "host") || lmcp::IEquals(name, "x-amz-security-token")) {
      continue;
    }
    request.headers.emplace_back(name, HeaderValue(in, 60));
  }
  aws::Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                         in.Bool() ? "session-token" : "", std::nullopt};
  aws::SigningParams params;
  params.region = "us-east-1";
  params.service = "lambda";
  params.time = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  params.presign = in.Int(0, 7) == 0;
  request.body = in.Rest();

  auto signed_result = aws::Sign(request, creds, params);
  if (!signed_result.ok()) {
    return 0;
  }
  auto lookup = [&](const std::string& id) -> std::optional<aws::Credentials> {
    if (id == creds.access_key_id) {
      return creds;
    }
    return std::nullopt;
  };
  auto verified = aws::Verify(request, lookup, params.time);
  if (!verified.ok()) {
    std::fprintf(stderr, "signed request failed to verify: %s\nurl=%s\ncanonical:\n%s\n",
                 verified.error().ToString().c_str(), request.url.c_str(),
                 signed_result->canonical_request.c_str());
    std::abort();
  }
  return 0;
}

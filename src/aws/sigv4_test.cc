#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/url.h"
#include "common/file.h"
#include "common/iso8601.h"
#include "common/strings.h"
#include "tests/support/aws/test_util.h"

namespace lmcp::aws {
namespace {

namespace fs = std::filesystem;
using std::chrono::system_clock;

const fs::path kSigv4Dir = fs::path(LMCP_SHARED_DIR) / "testdata" / "sigv4";
constexpr char kAkid[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string ReadFile(const fs::path& p) { return ReadWholeFile(p.string()).value_or(""); }

system_clock::time_point SuiteTime() { return *ParseIso8601Basic("20150830T123600Z"); }

// Parses a raw test-suite request: request line split at its first and last space, headers with
// continuation lines kept (joined by '\n'), blank line, body.
HttpRequest ParseRawRequest(const std::string& raw) {
  HttpRequest req;
  std::size_t pos = raw.find('\n');
  std::string line = raw.substr(0, pos);
  auto first = line.find(' ');
  auto last = line.rfind(' ');
  req.method = line.substr(0, first);
  std::string target = line.substr(first + 1, last - first - 1);
  std::string host;
  while (pos != std::string::npos && pos + 1 <= raw.size()) {
    std::size_t start = pos + 1;
    std::size_t end = raw.find('\n', start);
    std::string l = raw.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (l.empty()) {
      if (end != std::string::npos) {
        req.body = raw.substr(end + 1);
      }
      break;
    }
    if (l[0] == ' ' || l[0] == '\t') {
      req.headers.back().second += "\n" + l;
    } else {
      auto colon = l.find(':');
      req.headers.emplace_back(l.substr(0, colon), l.substr(colon + 1));
      if (IEquals(req.headers.back().first, "host")) {
        host = req.headers.back().second;
      }
    }
    pos = end;
  }
  req.url = "https://" + host + target;
  return req;
}

std::string HeaderLines(const HttpRequest& req) {
  std::string out;
  for (const auto& [k, v] : req.headers) {
    out += k + ":" + v + "\n";
  }
  return out;
}

// Runs one aws-c-auth case (header and presigned variants). Returns "" on success, else what differed.
std::string CheckAwsCAuthCase(const std::string& name) {
  fs::path dir = kSigv4Dir / "aws-c-auth" / "v4" / name;
  auto ctx = nlohmann::json::parse(ReadFile(dir / "context.json"));
  Credentials creds{ctx["credentials"]["access_key_id"], ctx["credentials"]["secret_access_key"],
                    ctx["credentials"].value("token", ""), std::nullopt};
  SigningParams params;
  params.region = ctx["region"];
  params.service = ctx["service"];
  params.time = SuiteTime();
  params.normalize_path = ctx["normalize"];
  params.omit_session_token = ctx.value("omit_session_token", false);
  params.presign_expires = std::chrono::seconds(ctx["expiration_in_seconds"].get<int>());
  std::string errors;
  auto expect = [&](const std::string& what, const std::string& got, const std::string& want) {
    if (got != want) {
      errors += what + " differs:\n--- got\n" + got + "\n--- want\n" + want + "\n";
    }
  };
  const std::string raw = ReadFile(dir / "request.txt");
  {
    HttpRequest req = ParseRawRequest(raw);
    SigningParams p = params;
    p.add_content_sha256_header = ctx["sign_body"];
    auto art = Sign(req, creds, p);
    if (!art.ok()) {
      return "Sign failed: " + art.error().ToString();
    }
    expect("header canonical request", art->canonical_request,
           ReadFile(dir / "header-canonical-request.txt"));
    expect("header string to sign", art->string_to_sign, ReadFile(dir / "header-string-to-sign.txt"));
    expect("header signature", art->signature, ReadFile(dir / "header-signature.txt"));
    // The signed request: same request line, our headers in order, then the body.
    std::string signed_req = ReadFile(dir / "header-signed-request.txt");
    std::string want_headers = signed_req.substr(signed_req.find('\n') + 1);
    want_headers = want_headers.substr(0, want_headers.find("\n\n") + 1);
    expect("header signed request headers", HeaderLines(req), want_headers);
  }
  {
    HttpRequest req = ParseRawRequest(raw);
    SigningParams p = params;
    p.presign = true;
    auto art = Sign(req, creds, p);
    if (!art.ok()) {
      return "Sign failed: " + art.error().ToString();
    }
    expect("query canonical request", art->canonical_request, ReadFile(dir / "query-canonical-request.txt"));
    expect("query string to sign", art->string_to_sign, ReadFile(dir / "query-string-to-sign.txt"));
    expect("query signature", art->signature, ReadFile(dir / "query-signature.txt"));
    std::string signed_req = ReadFile(dir / "query-signed-request.txt");
    std::string line = signed_req.substr(0, signed_req.find('\n'));
    std::string target = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
    auto url = ParseUrl(req.url);
    expect("presigned target", url->path + "?" + url->query, target);
  }
  return errors;
}

std::string CheckBotocoreCase(const std::string& rel) {
  fs::path dir = kSigv4Dir / "botocore-aws4_testsuite" / rel;
  std::string name = fs::path(rel).filename().string();
  HttpRequest req = ParseRawRequest(ReadFile(dir / (name + ".req")));
  Credentials creds{kAkid, kSecret, "", std::nullopt};
  SigningParams params{.region = "us-east-1", .service = "service", .time = SuiteTime()};
  const std::string readme_token = [] {
    std::string t = ReadFile(kSigv4Dir / "botocore-aws4_testsuite" / "post-sts-token" / "readme.txt");
    return t.substr(t.rfind('\n') + 1);
  }();
  if (name == "get-vanilla-with-session-token") {
    creds.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  } else if (name == "post-sts-header-before") {
    creds.session_token = FindHeader(req.headers, "x-amz-security-token");
    if (creds.session_token != readme_token) {
      return "post-sts-header-before: token in .req is not the readme's";
    }
  } else if (name == "post-sts-header-after") {
    creds.session_token = readme_token;
    params.omit_session_token = true;
  }
  auto art = Sign(req, creds, params);
  if (!art.ok()) {
    return "Sign failed: " + art.error().ToString();
  }
  std::string errors;
  auto expect = [&](const std::string& what, const std::string& got, const std::string& want) {
    if (got != want) {
      errors += what + " differs:\n--- got\n" + got + "\n--- want\n" + want + "\n";
    }
  };
  expect("canonical request", art->canonical_request, ReadFile(dir / (name + ".creq")));
  expect("string to sign", art->string_to_sign, ReadFile(dir / (name + ".sts")));
  expect("authorization", art->authorization, ReadFile(dir / (name + ".authz")));
  expect("Authorization header", FindHeader(req.headers, "authorization"), art->authorization);
  if (name == "post-sts-header-after" && FindHeader(req.headers, "x-amz-security-token") != readme_token) {
    errors += "token not added after signing\n";
  }
  return errors;
}

std::vector<std::string> AwsCAuthCases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kSigv4Dir / "aws-c-auth" / "v4")) {
    if (e.is_directory()) {
      out.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> BotocoreCases() {
  std::vector<std::string> out;
  fs::path root = kSigv4Dir / "botocore-aws4_testsuite";
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".req") {
      out.push_back(fs::relative(e.path().parent_path(), root).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      c = '_';
    }
  }
  return s;
}

class AwsCAuthSuite : public ::testing::TestWithParam<std::string> {};
TEST_P(AwsCAuthSuite, MatchesExpected) { EXPECT_EQ(CheckAwsCAuthCase(GetParam()), ""); }
INSTANTIATE_TEST_SUITE_P(Sigv4, AwsCAuthSuite, ::testing::ValuesIn(AwsCAuthCases()), TestName);

class BotocoreSuite : public ::testing::TestWithParam<std::string> {};
TEST_P(BotocoreSuite, MatchesExpected) { EXPECT_EQ(CheckBotocoreCase(GetParam()), ""); }
INSTANTIATE_TEST_SUITE_P(Sigv4, BotocoreSuite, ::testing::ValuesIn(BotocoreCases()), TestName);

TEST(Sigv4SuiteCount, AllSeventyTwoCasesPass) {
  int passed = 0;
  int total = 0;
  for (const auto& c : AwsCAuthCases()) {
    ++total;
    passed += CheckAwsCAuthCase(c).empty() ? 1 : 0;
  }
  for (const auto& c : BotocoreCases()) {
    ++total;
    passed += CheckBotocoreCase(c).empty() ? 1 : 0;
  }
  std::cout << "SigV4 vector cases: " << passed << " passed of " << total << " (" << AwsCAuthCases().size()
            << " aws-c-auth + " << BotocoreCases().size() << " botocore)\n";
  EXPECT_EQ(AwsCAuthCases().size(), 38u);
  EXPECT_EQ(BotocoreCases().size(), 34u);
  EXPECT_EQ(passed, 72);
}

TEST(Sigv4KnownDataBug, BotocoreSreqOfSessionTokenCaseCarriesGetVanillaSignature) {
  fs::path dir = kSigv4Dir / "botocore-aws4_testsuite" / "get-vanilla-with-session-token";
  std::string sreq = ReadFile(dir / "get-vanilla-with-session-token.sreq");
  EXPECT_NE(sreq.find("5fa00fa3"), std::string::npos);
  EXPECT_NE(ReadFile(dir / "get-vanilla-with-session-token.authz").find("07ec1639"), std::string::npos);
}

using testing::Capture;
using testing::ReadCaptures;

TEST(Sigv4Captures, ReproducesEveryAwsCliSignature) {
  auto captures = ReadCaptures();
  ASSERT_EQ(captures.size(), 16u);
  for (auto& c : captures) {
    SCOPED_TRACE(c.label);
    // Credential=AKIDEXAMPLE/20261124/us-east-1/lambda/aws4_request
    auto cred = c.authorization.substr(c.authorization.find("Credential=") + 11);
    cred = cred.substr(0, cred.find(','));
    std::vector<std::string> parts;
    std::stringstream ss(cred);
    for (std::string p; std::getline(ss, p, '/');) {
      parts.push_back(p);
    }
    ASSERT_EQ(parts.size(), 5u);
    SigningParams params{.region = parts[2], .service = parts[3], .time = *ParseIso8601Basic(c.amz_date)};
    auto art = Sign(c.request, Credentials{kAkid, kSecret, "", std::nullopt}, params);
    ASSERT_TRUE(art.ok());
    EXPECT_EQ(art->authorization, c.authorization);
  }
}

TEST(Sigv4Captures, BodyLengthsMatchContentLength) {
  auto captures = ReadCaptures();
  ASSERT_EQ(captures.size(), 16u);
  EXPECT_EQ(captures[8].request.body, "{\"hello\":\"world\"}\n");
  EXPECT_EQ(captures[15].request.body, "{\"a\":1}");
}

// --- Behaviour beyond the vectors.
TEST(Sigv4Sign, AddsHostWithNonDefaultPortAndToken) {
  HttpRequest req{.method = "GET", .url = "http://127.0.0.1:18081/2015-03-31/functions/"};
  auto art = Sign(req, Credentials{kAkid, kSecret, "tok", std::nullopt},
                  SigningParams{.region = "us-east-1", .service = "lambda", .time = SuiteTime()});
  ASSERT_TRUE(art.ok());
  EXPECT_EQ(FindHeader(req.headers, "host"), "127.0.0.1:18081");
  EXPECT_EQ(FindHeader(req.headers, "x-amz-security-token"), "tok");
  EXPECT_NE(art->authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

TEST(Sigv4Sign, ResigningReplacesDateTokenAndAuthorization) {
  HttpRequest req{.method = "POST", .url = "https://lambda.us-east-1.amazonaws.com/x", .body = "{}"};
  Credentials creds{kAkid, kSecret, "t1", std::nullopt};
  SigningParams params{.region = "us-east-1", .service = "lambda", .time = SuiteTime()};
  ASSERT_TRUE(Sign(req, creds, params).ok());
  creds.session_token = "t2";
  params.time += std::chrono::seconds(5);
  ASSERT_TRUE(Sign(req, creds, params).ok());
  int dates = 0, tokens = 0, auths = 0;
  for (const auto& [k, v] : req.headers) {
    dates += IEquals(k, "x-amz-date");
    tokens += IEquals(k, "x-amz-security-token");
    auths += IEquals(k, "authorization");
  }
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(tokens, 1);
  EXPECT_EQ(auths, 1);
  EXPECT_EQ(FindHeader(req.headers, "x-amz-security-token"), "t2");
  EXPECT_EQ(FindHeader(req.headers, "x-amz-date"), "20150830T123605Z");
}

TEST(Sigv4Sign, MalformedUrlIsAnError) {
  HttpRequest req{.method = "GET", .url = "not a url"};
  EXPECT_FALSE(Sign(req, Credentials{kAkid, kSecret}, SigningParams{.region = "r", .service = "s"}).ok());
}

TEST(Sigv4Sign, DoesNotSignUserAgentOrAcceptEncoding) {
  HttpRequest req{.method = "GET", .url = "https://h/"};
  req.headers = {{"User-Agent", "x"}, {"Accept-Encoding", "identity"}, {"X-Amz-Target", "T"}};
  auto art = Sign(req, Credentials{kAkid, kSecret}, SigningParams{.region = "r", .service = "s"});
  ASSERT_TRUE(art.ok());
  EXPECT_NE(art->authorization.find("SignedHeaders=host;x-amz-date;x-amz-target,"), std::string::npos);
}

// --- Verify
class Sigv4Verify : public ::testing::Test {
 protected:
  std::optional<Credentials> Lookup(const std::string& akid) const {
    if (akid == kAkid) {
      return Credentials{kAkid, kSecret, token_, std::nullopt};
    }
    return std::nullopt;
  }
  SecretLookup lookup() {
    return [this](const std::string& a) { return Lookup(a); };
  }
  HttpRequest Signed(const Credentials& creds, system_clock::time_point t, bool presign = false) {
    HttpRequest req{.method = "POST",
                    .url =
                        "http://127.0.0.1:9000/2015-03-31/functions/arn%3Aaws%3Alambda%3Ax/invocations?"
                        "Qualifier=%24LATEST&b=a%2Bb",
                    .body = "{\"a\":1}"};
    req.headers = {{"X-Amz-Invocation-Type", "RequestResponse"}, {"User-Agent", "t"}};
    EXPECT_TRUE(Sign(req, creds,
                     SigningParams{.region = "us-east-1", .service = "lambda", .time = t, .presign = presign})
                    .ok());
    return req;
  }
  std::string token_;
  system_clock::time_point now_ = SuiteTime();
};

TEST_F(Sigv4Verify, AcceptsOwnSignature) {
  auto caller = Verify(Signed({kAkid, kSecret}, now_), lookup(), now_);
  ASSERT_TRUE(caller.ok()) << caller.error().ToString();
  EXPECT_EQ(caller->access_key_id, kAkid);
  EXPECT_EQ(caller->region, "us-east-1");
  EXPECT_EQ(caller->service, "lambda");
}

TEST_F(Sigv4Verify, AcceptsPresigned) {
  auto caller = Verify(Signed({kAkid, kSecret}, now_, true), lookup(), now_ + std::chrono::minutes(10));
  ASSERT_TRUE(caller.ok()) << caller.error().ToString();
}

// Found by fuzz_sigv4 (fuzz/regressions/sigv4/presign-over-existing-signing-params): presigning a URL
// that already carries X-Amz-Algorithm produced a request that could never verify.
TEST(Sigv4Presign, RefusesUrlThatAlreadyHasSigningParameters) {
  HttpRequest request;
  request.url = "https://lambda.us-east-1.amazonaws.com/?X-Amz-Algorithm=other";
  SigningParams p;
  p.region = "us-east-1";
  p.service = "lambda";
  p.time = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  p.presign = true;
  auto r = Sign(request, Credentials{"AKID", "secret"}, p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(Sigv4Verify, RejectsUnknownKey) {
  auto r = Verify(Signed({"AKIDOTHER", kSecret}, now_), lookup(), now_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(r.error().message.starts_with("UnrecognizedClientException"));
}

TEST_F(Sigv4Verify, RejectsWrongSecret) {
  auto r = Verify(Signed({kAkid, "wrong"}, now_), lookup(), now_);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message.starts_with("InvalidSignatureException")) << r.error().message;
}

TEST_F(Sigv4Verify, RejectsTamperedBodyHeaderAndQuery) {
  auto req = Signed({kAkid, kSecret}, now_);
  auto body = req;
  body.body = "{\"a\":2}";
  EXPECT_FALSE(Verify(body, lookup(), now_).ok());
  auto header = req;
  SetHeader(header.headers, "X-Amz-Invocation-Type", "Event");
  EXPECT_FALSE(Verify(header, lookup(), now_).ok());
  auto query = req;
  query.url += "&extra=1";
  EXPECT_FALSE(Verify(query, lookup(), now_).ok());
  auto unsigned_header = req;  // headers outside SignedHeaders may change
  SetHeader(unsigned_header.headers, "User-Agent", "other");
  EXPECT_TRUE(Verify(unsigned_header, lookup(), now_).ok());
}

TEST_F(Sigv4Verify, RejectsSkew) {
  auto req = Signed({kAkid, kSecret}, now_);
  EXPECT_TRUE(Verify(req, lookup(), now_ + std::chrono::minutes(4)).ok());
  auto late = Verify(req, lookup(), now_ + std::chrono::minutes(6));
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message.find("Signature expired"), std::string::npos);
  EXPECT_FALSE(Verify(req, lookup(), now_ - std::chrono::minutes(6)).ok());
}

TEST_F(Sigv4Verify, SessionTokenMustMatch) {
  token_ = "session-1";
  EXPECT_TRUE(Verify(Signed({kAkid, kSecret, "session-1"}, now_), lookup(), now_).ok());
  auto wrong = Verify(Signed({kAkid, kSecret, "session-2"}, now_), lookup(), now_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(wrong.error().message.starts_with("UnrecognizedClientException"));
  EXPECT_FALSE(Verify(Signed({kAkid, kSecret}, now_), lookup(), now_).ok());
  token_.clear();
  EXPECT_FALSE(Verify(Signed({kAkid, kSecret, "session-1"}, now_), lookup(), now_).ok());
}

TEST_F(Sigv4Verify, RejectsMissingAndMalformedAuthorization) {
  HttpRequest req{.method = "GET", .url = "http://h/"};
  auto r = Verify(req, lookup(), now_);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message.starts_with("MissingAuthenticationTokenException"));
  req.headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=x"}, {"X-Amz-Date", "20150830T123600Z"}};
  EXPECT_FALSE(Verify(req, lookup(), now_).ok());
  req.headers = {{"Authorization", "Basic abc"}};
  EXPECT_FALSE(Verify(req, lookup(), now_).ok());
}

TEST_F(Sigv4Verify, AcceptsCapturedAwsCliRequests) {
  for (auto& c : ReadCaptures()) {
    SCOPED_TRACE(c.label);
    c.request.headers.emplace_back("X-Amz-Date", c.amz_date);
    c.request.headers.emplace_back("Authorization", c.authorization);
    auto r = Verify(c.request, lookup(), *ParseIso8601Basic(c.amz_date));
    EXPECT_TRUE(r.ok()) << r.error().ToString();
  }
}

TEST(Sigv4Date, FormatsAndParses) {
  auto t = ParseIso8601Basic("20261124T005409Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatIso8601Basic(*t), "20261124T005409Z");
  EXPECT_FALSE(ParseIso8601Basic("2026-11-24").has_value());
  EXPECT_FALSE(ParseIso8601Basic("20261324T005409Z").has_value());
}

}  // namespace
}  // namespace lmcp::aws

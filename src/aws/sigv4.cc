#include "aws/sigv4.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>
#include <vector>

#include "aws/url.h"
#include "common/crypto.h"
#include "common/iso8601.h"
#include "common/strings.h"

namespace lmcp::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr auto kMaxSkew = std::chrono::minutes(5);

// Headers a proxy or the transport may add or rewrite; never signed.
bool IsUnsignableHeader(std::string_view lower_name) {
  static constexpr std::string_view kSkip[] = {
      "authorization",     "user-agent",      "x-amzn-trace-id",     "expect",
      "transfer-encoding", "connection",      "keep-alive",          "te",
      "upgrade",           "accept-encoding", "proxy-authorization", "proxy-connection"};
  return std::find(std::begin(kSkip), std::end(kSkip), lower_name) != std::end(kSkip);
}

// Unfold continuation lines, trim, collapse runs of whitespace to one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out += ' ';
    }
    pending_space = false;
    out += c;
  }
  return out;
}

std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    std::string_view seg =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (seg == "..") {
      if (!segments.empty()) {
        segments.pop_back();
      }
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    if (slash == std::string_view::npos) {
      break;
    }
    pos = slash + 1;
  }
  std::string out;
  for (auto seg : segments) {
    out += '/';
    out += seg;
  }
  bool trailing = !path.empty() && (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."));
  if (out.empty()) {
    return "/";
  }
  if (trailing) {
    out += '/';
  }
  return out;
}

std::string CanonicalUri(std::string_view path, bool normalize, bool double_encode) {
  std::string p = normalize ? NormalizePath(path) : std::string(path);
  if (p.empty()) {
    p = "/";
  }
  return double_encode ? UriEncode(p, true) : UriEncode(UriDecode(p), true);
}

std::string CanonicalQuery(const QueryParams& decoded) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(decoded.size());
  for (const auto& [k, v] : decoded) {
    encoded.emplace_back(UriEncode(k), UriEncode(v));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) {
      out += '&';
    }
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;        // "name:value\n" per header
  std::string signed_list;  // "a;b;c"
  std::vector<std::string> missing;
};

// `names` are lower case, sorted and unique.
CanonicalHeaders BuildCanonicalHeaders(const Headers& headers, const std::vector<std::string>& names) {
  CanonicalHeaders out;
  for (const auto& name : names) {
    std::string joined;
    bool found = false;
    for (const auto& [k, v] : headers) {
      if (!IEquals(k, name)) {
        continue;
      }
      if (found) {
        joined += ',';
      }
      joined += CanonicalHeaderValue(v);
      found = true;
    }
    if (!found) {
      out.missing.push_back(name);
    }
    out.block += name;
    out.block += ':';
    out.block += joined;
    out.block += '\n';
    if (!out.signed_list.empty()) {
      out.signed_list += ';';
    }
    out.signed_list += name;
  }
  return out;
}

std::vector<std::string> HeadersToSign(const Headers& headers) {
  std::vector<std::string> names;
  for (const auto& [k, v] : headers) {
    std::string lower = AsciiLower(k);
    if (!IsUnsignableHeader(lower)) {
      names.push_back(std::move(lower));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string SigningKeySignature(std::string_view secret, std::string_view date, std::string_view region,
                                std::string_view service, std::string_view string_to_sign) {
  auto as_view = [](const Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  // The signing key changes once a day per key, region and service: keep the last one per thread.
  struct CachedKey {
    std::string id;  // secret, date, region, service
    Digest key{};
  };
  thread_local CachedKey cache;
  std::string id;
  id.reserve(secret.size() + date.size() + region.size() + service.size() + 3);
  id.append(secret).append("\n").append(date).append("\n").append(region).append("\n").append(service);
  if (cache.id != id) {
    std::string k_secret = "AWS4";
    k_secret += secret;
    Digest k_date = HmacSha256(k_secret, date);
    Digest k_region = HmacSha256(as_view(k_date), region);
    Digest k_service = HmacSha256(as_view(k_region), service);
    cache.key = HmacSha256(as_view(k_service), "aws4_request");
    cache.id = std::move(id);
  }
  return HexEncode(HmacSha256(as_view(cache.key), string_to_sign));
}

struct Computed {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

Computed Compute(std::string_view method, std::string_view canonical_uri, std::string_view canonical_query,
                 const CanonicalHeaders& headers, std::string_view payload_hash, std::string_view amz_date,
                 std::string_view scope, std::string_view secret, std::string_view region,
                 std::string_view service) {
  Computed c;
  c.canonical_request.reserve(256 + headers.block.size());
  c.canonical_request.append(method).append("\n");
  c.canonical_request.append(canonical_uri).append("\n");
  c.canonical_request.append(canonical_query).append("\n");
  c.canonical_request.append(headers.block).append("\n");
  c.canonical_request.append(headers.signed_list).append("\n");
  c.canonical_request.append(payload_hash);
  c.string_to_sign.append(kAlgorithm).append("\n");
  c.string_to_sign.append(amz_date).append("\n");
  c.string_to_sign.append(scope).append("\n");
  c.string_to_sign.append(Sha256Hex(c.canonical_request));
  c.signature = SigningKeySignature(secret, amz_date.substr(0, 8), region, service, c.string_to_sign);
  return c;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) {
      break;
    }
    start = pos + 1;
  }
  return out;
}

Error InvalidSignature(std::string detail) {
  return Error::Unauthenticated("InvalidSignatureException: " + std::move(detail));
}

Error UnrecognizedClient() {
  return Error::Unauthenticated(
      "UnrecognizedClientException: The security token included in the request is invalid.");
}

}  // namespace

Result<SigningArtifacts> Sign(HttpRequest& request, const Credentials& credentials,
                              const SigningParams& params) {
  auto url = ParseUrl(request.url);
  if (!url.ok()) {
    return url.error();
  }
  const std::string amz_date = FormatIso8601Basic(params.time);
  const std::string scope =
      amz_date.substr(0, 8) + "/" + params.region + "/" + params.service + "/aws4_request";
  const std::string payload_hash = Sha256Hex(request.body);
  const bool has_token = !credentials.session_token.empty();

  RemoveHeader(request.headers, "authorization");
  RemoveHeader(request.headers, "x-amz-date");
  RemoveHeader(request.headers, "x-amz-security-token");
  if (!HasHeader(request.headers, "host")) {
    request.headers.emplace_back("Host", url->HostHeader());
  }

  const std::string canonical_uri = CanonicalUri(url->path, params.normalize_path, params.double_encode_path);
  QueryParams query = ParseQuery(url->query);
  SigningArtifacts out;

  if (!params.presign) {
    if (has_token && !params.omit_session_token) {
      request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
    std::size_t date_index = request.headers.size();
    request.headers.emplace_back("X-Amz-Date", amz_date);
    if (params.add_content_sha256_header) {
      SetHeader(request.headers, "x-amz-content-sha256", payload_hash);
    }
    CanonicalHeaders ch = BuildCanonicalHeaders(request.headers, HeadersToSign(request.headers));
    Computed c = Compute(request.method, canonical_uri, CanonicalQuery(query), ch, payload_hash, amz_date,
                         scope, credentials.secret_access_key, params.region, params.service);
    out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
                        ", SignedHeaders=" + ch.signed_list + ", Signature=" + c.signature;
    if (has_token && params.omit_session_token) {
      request.headers.insert(request.headers.begin() + static_cast<std::ptrdiff_t>(date_index),
                             {"X-Amz-Security-Token", credentials.session_token});
    }
    request.headers.emplace_back("Authorization", out.authorization);
    out.canonical_request = std::move(c.canonical_request);
    out.string_to_sign = std::move(c.string_to_sign);
    out.signature = std::move(c.signature);
    return out;
  }

  // A URL that already carries signing parameters would be signed twice over; AWS reads the first copy.
  for (const auto& [key, value] : query) {
    if (key == "X-Amz-Algorithm" || key == "X-Amz-Credential" || key == "X-Amz-Date" ||
        key == "X-Amz-SignedHeaders" || key == "X-Amz-Expires" || key == "X-Amz-Security-Token" ||
        key == "X-Amz-Signature") {
      return Error::InvalidArgument("cannot presign a URL that already has the query parameter " + key);
    }
  }
  CanonicalHeaders ch = BuildCanonicalHeaders(request.headers, HeadersToSign(request.headers));
  QueryParams added = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", credentials.access_key_id + "/" + scope},
      {"X-Amz-Date", amz_date},
      {"X-Amz-SignedHeaders", ch.signed_list},
      {"X-Amz-Expires", std::to_string(params.presign_expires.count())},
  };
  if (has_token && !params.omit_session_token) {
    added.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  QueryParams all = query;
  all.insert(all.end(), added.begin(), added.end());
  Computed c = Compute(request.method, canonical_uri, CanonicalQuery(all), ch, payload_hash, amz_date, scope,
                       credentials.secret_access_key, params.region, params.service);
  if (has_token && params.omit_session_token) {
    added.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  added.emplace_back("X-Amz-Signature", c.signature);
  std::string new_query = url->query;
  std::string extra = BuildQuery(added);
  new_query += new_query.empty() ? extra : "&" + extra;
  std::string base = request.url.substr(0, request.url.find_first_of("?#"));
  request.url = base + "?" + new_query;
  out.canonical_request = std::move(c.canonical_request);
  out.string_to_sign = std::move(c.string_to_sign);
  out.signature = std::move(c.signature);
  return out;
}

namespace {

// What a signed request says about its signature: from the Authorization header, or from the query of a
// presigned URL.
struct SignatureFields {
  std::string credential, signed_headers, signature, amz_date, token;
  bool presigned = false;
  std::optional<std::chrono::seconds> expires;  // presigned only
};

Result<SignatureFields> ReadSignatureFields(const HttpRequest& request, const QueryParams& query) {
  auto query_value = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& [k, v] : query) {
      if (k == name) {
        return v;
      }
    }
    return std::nullopt;
  };
  SignatureFields f;
  std::string authorization = FindHeader(request.headers, "authorization");
  if (!authorization.empty()) {
    if (!authorization.starts_with(std::string(kAlgorithm) + " ")) {
      return Error::Unauthenticated("IncompleteSignatureException: unsupported authorization type");
    }
    for (const auto& part : Split(std::string_view(authorization).substr(kAlgorithm.size() + 1), ',')) {
      std::string p(Trim(part, kHttpWhitespace));
      auto eq = p.find('=');
      if (eq == std::string::npos) {
        continue;
      }
      std::string key = p.substr(0, eq);
      std::string value = p.substr(eq + 1);
      if (key == "Credential") {
        f.credential = value;
      }
      if (key == "SignedHeaders") {
        f.signed_headers = value;
      }
      if (key == "Signature") {
        f.signature = value;
      }
    }
    f.amz_date = FindHeader(request.headers, "x-amz-date");
    f.token = FindHeader(request.headers, "x-amz-security-token");
    return f;
  }
  if (!query_value("X-Amz-Algorithm")) {
    return Error::Unauthenticated("MissingAuthenticationTokenException: Missing Authentication Token");
  }
  f.presigned = true;
  if (*query_value("X-Amz-Algorithm") != kAlgorithm) {
    return Error::Unauthenticated("IncompleteSignatureException: unsupported X-Amz-Algorithm");
  }
  f.credential = query_value("X-Amz-Credential").value_or("");
  f.signed_headers = query_value("X-Amz-SignedHeaders").value_or("");
  f.signature = query_value("X-Amz-Signature").value_or("");
  f.amz_date = query_value("X-Amz-Date").value_or("");
  f.token = query_value("X-Amz-Security-Token").value_or("");
  std::string exp = query_value("X-Amz-Expires").value_or("");
  if (exp.empty() || exp.size() > 6 || !std::all_of(exp.begin(), exp.end(), ::isdigit)) {
    return Error::Unauthenticated("IncompleteSignatureException: bad X-Amz-Expires");
  }
  f.expires = std::chrono::seconds(std::stoi(exp));
  return f;
}

}  // namespace

Result<VerifiedCaller> Verify(const HttpRequest& request, const SecretLookup& lookup,
                              std::chrono::system_clock::time_point now) {
  auto url = ParseUrl(request.url);
  if (!url.ok()) {
    return InvalidSignature("malformed request URL");
  }
  QueryParams query = ParseQuery(url->query);
  auto fields = ReadSignatureFields(request, query);
  if (!fields.ok()) {
    return fields.error();
  }
  const auto& [credential, signed_headers, signature, amz_date, token, presigned, expires] = *fields;
  if (credential.empty() || signed_headers.empty() || signature.empty()) {
    return Error::Unauthenticated(
        "IncompleteSignatureException: Authorization must contain Credential, SignedHeaders and Signature");
  }
  std::vector<std::string> scope_parts = Split(credential, '/');
  if (scope_parts.size() != 5 || scope_parts[4] != "aws4_request" || scope_parts[0].empty()) {
    return Error::Unauthenticated("IncompleteSignatureException: malformed Credential " + credential);
  }
  auto signed_time = ParseIso8601Basic(amz_date);
  if (!signed_time) {
    return Error::Unauthenticated("IncompleteSignatureException: missing or bad X-Amz-Date");
  }
  if (amz_date.substr(0, 8) != scope_parts[1]) {
    return InvalidSignature("Credential should be scoped to a valid date: " + scope_parts[1]);
  }
  if (*signed_time > now + kMaxSkew || (!presigned && *signed_time < now - kMaxSkew)) {
    return InvalidSignature("Signature expired: " + amz_date +
                            " is now earlier or later than the allowed skew");
  }
  if (presigned && now > *signed_time + *expires) {
    return InvalidSignature("Signature expired: presigned URL");
  }

  std::optional<Credentials> creds = lookup(scope_parts[0]);
  if (!creds) {
    return UnrecognizedClient();
  }
  if (token != creds->session_token) {
    return UnrecognizedClient();
  }

  std::vector<std::string> names = Split(signed_headers, ';');
  if (!std::is_sorted(names.begin(), names.end()) ||
      std::find(names.begin(), names.end(), "host") == names.end()) {
    return InvalidSignature("SignedHeaders must be sorted and include host");
  }
  Headers headers = request.headers;
  if (!HasHeader(headers, "host")) {
    headers.emplace_back("Host", url->HostHeader());
  }
  CanonicalHeaders ch = BuildCanonicalHeaders(headers, names);
  if (!ch.missing.empty()) {
    return InvalidSignature("signed header missing from the request: " + ch.missing.front());
  }
  if (presigned) {
    std::erase_if(query, [](const auto& kv) { return kv.first == "X-Amz-Signature"; });
  }
  Computed c = Compute(request.method, CanonicalUri(url->path, true, true), CanonicalQuery(query), ch,
                       Sha256Hex(request.body), amz_date, credential.substr(credential.find('/') + 1),
                       creds->secret_access_key, scope_parts[2], scope_parts[3]);
  if (!ConstantTimeEquals(c.signature, signature)) {
    return InvalidSignature(
        "The request signature we calculated does not match the signature you provided. Check your AWS "
        "Secret "
        "Access Key and signing method.");
  }
  return VerifiedCaller{scope_parts[0], scope_parts[2], scope_parts[3]};
}

}  // namespace lmcp::aws

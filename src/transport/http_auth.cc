#include "transport/http_auth.h"

#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <set>

#include "common/crypto.h"
#include "common/file.h"
#include "common/log_text.h"
#include "common/strings.h"

namespace lmcp::transport {

std::string_view BearerToken(std::string_view authorization) {
  while (!authorization.empty() && authorization.front() == ' ') {
    authorization.remove_prefix(1);
  }
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) {
    return {};
  }
  if (!IEquals(authorization.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
    token.remove_suffix(1);
  }
  return token;
}

StaticTokenAuthenticator::StaticTokenAuthenticator(std::string token, std::string name)
    : token_(std::move(token)), principal_("token:" + std::move(name)) {}

Result<mcp::Identity> StaticTokenAuthenticator::Authenticate(std::string_view authorization) {
  std::string_view token = BearerToken(authorization);
  if (token.empty()) {
    return Error::Unauthenticated("missing bearer token");
  }
  if (!ConstantTimeEquals(token, token_)) {
    return Error::Unauthenticated("invalid token");
  }
  return mcp::Identity{.name = principal_};
}

NamedTokensAuthenticator::NamedTokensAuthenticator(std::vector<std::pair<std::string, std::string>> tokens) {
  for (auto& [name, token] : tokens) {
    tokens_.emplace_back("token:" + name, std::move(token));
  }
}

Result<mcp::Identity> NamedTokensAuthenticator::Authenticate(std::string_view authorization) {
  std::string_view token = BearerToken(authorization);
  if (token.empty()) {
    return Error::Unauthenticated("missing bearer token");
  }
  const std::string* found = nullptr;
  for (const auto& [principal, secret] : tokens_) {  // every one, so the time says nothing about which
    if (ConstantTimeEquals(token, secret)) {
      found = &principal;
    }
  }
  if (found == nullptr) {
    return Error::Unauthenticated("invalid token");
  }
  return mcp::Identity{.name = *found};
}

namespace {

bool ValidTokenName(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == '@' || c == '-';
  });
}

}  // namespace

Result<std::shared_ptr<NamedTokensAuthenticator>> NamedTokensAuthenticator::Load(
    const std::vector<TokenFile>& files, bool loopback) {
  std::vector<std::string> problems;
  std::vector<std::pair<std::string, std::string>> tokens;
  std::set<std::string> names;
  for (const auto& file : files) {
    const std::string what = "token " + ForLog(file.name);
    if (!ValidTokenName(file.name)) {
      problems.push_back(what + ": the name must be 1-64 characters of A-Z a-z 0-9 _ . @ -");
    } else if (!names.insert(file.name).second) {
      problems.push_back(what + ": the name is used twice");
    }
    auto token = ReadTokenFile(file.path);
    if (!token.ok()) {
      problems.push_back(what + ": " + token.error().message);
      continue;
    }
    for (const auto& [other, secret] : tokens) {
      if (ConstantTimeEquals(*token, secret)) {
        problems.push_back(what + ": the same token as " + ForLog(other) + " (each client needs its own)");
      }
    }
    if (auto weak = WeakTokenProblem(*token, ForLog(file.path))) {
      if (loopback) {
        spdlog::warn("http: {}: {}", what, *weak);
      } else {
        problems.push_back(what + ": " + *weak);
      }
    }
    tokens.emplace_back(file.name, std::move(token).value());
  }
  if (files.empty()) {
    problems.push_back("no bearer tokens configured");
  }
  if (!problems.empty()) {
    return Error::InvalidArgument(Join(problems, "\n"));
  }
  return std::make_shared<NamedTokensAuthenticator>(std::move(tokens));
}

std::optional<std::string> WeakTokenProblem(std::string_view token, const std::string& source) {
  double bits = EstimateTokenBits(token);
  if (bits >= kMinTokenBits) {
    return std::nullopt;
  }
  return "the bearer token from " + source + " looks weak (about " + std::to_string(static_cast<int>(bits)) +
         " bits of entropy estimated, " + std::to_string(static_cast<int>(kMinTokenBits)) +
         " needed beyond loopback); make a random one with `openssl rand -hex 32`";
}

Result<std::string> ReadTokenFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return Error::InvalidArgument("cannot read token file " + ForLog(path));
  }
  std::string_view first_line(*text);
  first_line = first_line.substr(0, first_line.find('\n'));
  std::string line(Trim(first_line));
  if (line.size() < 16) {
    return Error::InvalidArgument("token in " + ForLog(path) + " is empty or shorter than 16 characters");
  }
  return line;
}

namespace {

// Words that turn up in hand-made tokens; each occurrence is scored as one guess from a short list.
constexpr std::array<std::string_view, 16> kCommonWords = {
    "password", "passwd",  "secret", "token",  "changeme", "admin",  "letmein", "qwerty",
    "welcome",  "default", "lambda", "bearer", "example",  "123456", "abcdef",  "test"};
constexpr double kBitsPerCommonWord = 10;
constexpr double kBitsPerPatternChar = 1;

bool ContinuesPattern(std::string_view s, size_t i) {
  if (i >= 2) {  // arithmetic sequence or run: "aaa", "abc", "531"
    int d1 = static_cast<unsigned char>(s[i]) - static_cast<unsigned char>(s[i - 1]);
    int d2 = static_cast<unsigned char>(s[i - 1]) - static_cast<unsigned char>(s[i - 2]);
    if (d1 == d2) {
      return true;
    }
  }
  for (size_t period = 2; period <= 4; ++period) {  // a repeated short pattern: "abab", "xyzxyz"
    if (i >= period + 1 && s[i] == s[i - period] && s[i - 1] == s[i - 1 - period]) {
      return true;
    }
  }
  return false;
}

}  // namespace

double EstimateTokenBits(std::string_view token) {
  bool lower = false, upper = false, digit = false, punct = false, other = false;
  std::set<unsigned char> distinct;
  for (unsigned char c : token) {
    distinct.insert(c);
    if (std::islower(c)) {
      lower = true;
    } else if (std::isupper(c)) {
      upper = true;
    } else if (std::isdigit(c)) {
      digit = true;
    } else if (c >= 0x20 && c < 0x7f) {
      punct = true;
    } else {
      other = true;
    }
  }
  double alphabet =
      (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (punct ? 33 : 0) + (other ? 128 : 0);
  alphabet = std::min(alphabet, 3.0 * static_cast<double>(distinct.size()));
  if (alphabet < 2) {
    return 0;
  }
  const double per_char = std::log2(alphabet);

  std::string lowered = AsciiLower(token);
  std::vector<bool> in_word(token.size(), false);
  double bits = 0;
  for (std::string_view word : kCommonWords) {
    for (size_t at = lowered.find(word); at != std::string::npos; at = lowered.find(word, at + 1)) {
      const auto first = in_word.begin() + static_cast<std::ptrdiff_t>(at);
      const auto last = first + static_cast<std::ptrdiff_t>(word.size());
      if (std::find(first, last, true) != last) {
        continue;  // overlaps a word already counted
      }
      std::fill(first, last, true);
      bits += kBitsPerCommonWord;
    }
  }
  for (size_t i = 0; i < token.size(); ++i) {
    if (in_word[i]) {
      continue;
    }
    bits += ContinuesPattern(token, i) ? kBitsPerPatternChar : per_char;
  }
  return bits;
}

}  // namespace lmcp::transport

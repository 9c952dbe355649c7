#include "transport/http_auth.h"

#include <cctype>
#include <fstream>

#include "transport/http_policy.h"

namespace lmcp::transport {

std::string_view BearerToken(std::string_view authorization) {
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return token;
}

StaticTokenAuthenticator::StaticTokenAuthenticator(std::string token, std::string name)
    : token_(std::move(token)), principal_("token:" + std::move(name)) {}

Result<std::string> StaticTokenAuthenticator::Authenticate(std::string_view authorization) {
  std::string_view token = BearerToken(authorization);
  if (token.empty()) return Error::Unauthenticated("missing bearer token");
  if (!ConstantTimeEquals(token, token_)) return Error::Unauthenticated("invalid token");
  return principal_;
}

Result<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::InvalidArgument("cannot read token file " + path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  size_t start = 0;
  while (start < line.size() && std::isspace(static_cast<unsigned char>(line[start]))) ++start;
  line = line.substr(start);
  if (line.size() < 16)
    return Error::InvalidArgument("token in " + path + " is empty or shorter than 16 characters");
  return line;
}

}  // namespace lmcp::transport

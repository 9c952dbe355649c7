#pragma once
// Hashing, HMAC and encodings used by SigV4 and the AWS clients (OpenSSL underneath). Pure functions, safe
// from any thread.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace lmcp::aws {

using Digest = std::array<unsigned char, 32>;

Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
Digest HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);  // lower case
std::string HexEncode(const Digest& digest);

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; whitespace is ignored. nullopt on malformed input.
std::optional<std::string> Base64Decode(std::string_view text);

// Constant-time comparison for signatures.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace lmcp::aws

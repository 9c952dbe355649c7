#pragma once
// SHA-256, HMAC-SHA256, hex and constant-time comparison (OpenSSL underneath), shared by SigV4, the audit
// log and the HTTP transport's token checks. Pure functions, safe from any thread.

#include <array>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lmcp {

using Digest = std::array<unsigned char, 32>;

Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
Digest HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);  // lower case
std::string HexEncode(const Digest& digest);
// Pairs of hex digits (either case) back to bytes; kInvalidArgument on an odd length or a non-hex character.
Result<std::string> HexDecode(std::string_view hex);

// Constant-time comparison for signatures.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace lmcp

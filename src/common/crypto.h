#pragma once
// SHA-256, HMAC-SHA256, hex, random bytes, AES-256-GCM and constant-time comparison (OpenSSL underneath),
// shared by SigV4, the audit log, the HTTP transport's token checks and MRTR request state. Pure functions,
// safe from any thread.

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

// `n` bytes from OpenSSL's CSPRNG; kInternal if it fails.
Result<std::string> RandomBytes(std::size_t n);

// AES-256-GCM with a random 96-bit nonce: `key` must be 32 bytes. Seal returns nonce | ciphertext | tag;
// Open fails with kInvalidArgument for anything that is not such a sealing under `key` and `aad` (tampered,
// truncated, another key).
inline constexpr std::size_t kAeadKeyBytes = 32;
Result<std::string> AeadSeal(std::string_view key, std::string_view plaintext, std::string_view aad);
Result<std::string> AeadOpen(std::string_view key, std::string_view sealed, std::string_view aad);

// Constant-time comparison for signatures.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace lmcp

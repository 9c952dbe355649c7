#pragma once
// Base64 (RFC 4648): the standard alphabet with padding (AWS, MCP content blobs) and the URL-safe alphabet
// without padding (JWTs, cursors). Decoding takes either alphabet, and padding when it is complete ("=" or
// "==" up to a multiple of four). Pure functions.

#include <string>
#include <string_view>

#include "common/result.h"

namespace lmcp {

// Standard alphabet ("+/"), padded with "=" to a multiple of four characters.
std::string Base64Encode(std::string_view bytes);
// URL-safe alphabet ("-_"), no padding.
std::string Base64UrlEncode(std::string_view bytes);

// Either alphabet, padding optional; ASCII white space (line breaks in MIME-style text) is skipped.
// kInvalidArgument naming the offset of the first bad character, a misplaced "=", or a length that no
// encoding has (one character left over).
Result<std::string> Base64Decode(std::string_view text);
// The same, but white space is a bad character too (tokens, cursors).
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace lmcp

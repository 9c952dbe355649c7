#include "common/base64.h"

namespace lmcp {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) {
    out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  }
  while (pad && out.size() % 4 != 0) {
    out.push_back('=');
  }
  return out;
}

// The 6-bit value of a symbol of either alphabet, or -1.
int SymbolValue(char c) {
  if (c == '-') {
    return 62;
  }
  if (c == '_') {
    return 63;
  }
  std::size_t pos = std::string_view(kStandard, 64).find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

Error Bad(const std::string& what, std::size_t offset) {
  return Error::InvalidArgument("invalid base64: " + what + " at offset " + std::to_string(offset));
}

Result<std::string> Decode(std::string_view text, bool skip_space) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  unsigned acc = 0;
  int bits = 0;
  std::size_t symbols = 0;  // alphabet characters and padding, white space not counted
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (skip_space && IsSpace(c)) {
      continue;
    }
    if (c == '=') {
      ++padding;
      ++symbols;
      continue;
    }
    if (padding > 0) {
      return Bad("data after padding", i);
    }
    int v = SymbolValue(c);
    if (v < 0) {
      return Bad("unexpected character", i);
    }
    ++symbols;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (padding > 2 || (padding > 0 && symbols % 4 != 0)) {
    return Bad("wrong padding", text.size());
  }
  if ((symbols - padding) % 4 == 1) {
    return Bad("truncated input", text.size());
  }
  return out;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kStandard, true); }

std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kUrl, false); }

Result<std::string> Base64Decode(std::string_view text) { return Decode(text, true); }

Result<std::string> Base64UrlDecode(std::string_view text) { return Decode(text, false); }

}  // namespace lmcp

#include "common/log_text.h"

#include <cstdint>

namespace lmcp {
namespace {

// Length of the valid UTF-8 sequence at the start of `s` (2..4), or 0 when it is not one (overlong forms,
// surrogates and code points above U+10FFFF are invalid). `cp` receives the code point.
size_t Utf8Sequence(std::string_view s, uint32_t& cp) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t b0 = byte(0);
  size_t len = 0;
  uint32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < len) {
    return 0;
  }
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

// Valid characters that still must not reach a log line as they are: C1 controls, line/paragraph separators,
// bidirectional embeddings, overrides and isolates.
bool IsUnsafeCodePoint(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void AppendEscaped(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
}

}  // namespace

std::string ForLog(std::string_view text, size_t max_len) {
  std::string out;
  out.reserve(max_len > 0 && text.size() > max_len ? max_len + 3 : text.size());
  size_t i = 0;
  while (i < text.size()) {
    std::string piece;
    auto b = static_cast<uint8_t>(text[i]);
    size_t consumed = 1;
    if (b == '\\') {
      piece = "\\\\";
    } else if (b >= 0x20 && b < 0x7F) {
      piece.assign(1, static_cast<char>(b));
    } else if (b < 0x80) {
      AppendEscaped(piece, text.substr(i, 1));  // C0 control or DEL
    } else {
      uint32_t cp = 0;
      size_t len = Utf8Sequence(text.substr(i), cp);
      if (len == 0) {
        AppendEscaped(piece, text.substr(i, 1));  // not UTF-8: escape this byte, resynchronise on the next
      } else {
        consumed = len;
        if (IsUnsafeCodePoint(cp)) {
          AppendEscaped(piece, text.substr(i, len));
        } else {
          piece.assign(text.substr(i, len));
        }
      }
    }
    if (max_len > 0 && out.size() + piece.size() > max_len) {
      out += "…";
      return out;
    }
    out += piece;
    i += consumed;
  }
  return out;
}

std::vector<std::string> ForLogLines(std::string_view text, size_t max_line_len) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (!line.empty()) {
      lines.push_back(ForLog(line, max_line_len));
    }
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return lines;
}

}  // namespace lmcp

#include "aws/xml.h"

#include <cstdlib>

namespace lmcp::aws {
namespace {

void AppendUtf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    auto semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += text[i];
      continue;
    }
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out += '&';
    } else if (ent == "lt") {
      out += '<';
    } else if (ent == "gt") {
      out += '>';
    } else if (ent == "quot") {
      out += '"';
    } else if (ent == "apos") {
      out += '\'';
    } else if (!ent.empty() && ent[0] == '#') {
      std::string num(ent.substr(1));
      unsigned long cp = (!num.empty() && (num[0] == 'x' || num[0] == 'X'))
                             ? std::strtoul(num.c_str() + 1, nullptr, 16)
                             : std::strtoul(num.c_str(), nullptr, 10);
      AppendUtf8(out, cp);
    } else {
      out += text.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<std::string_view> XmlElement(std::string_view xml, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string_view::npos) {
    std::size_t name_start = pos + 1;
    if (xml.substr(name_start, name.size()) == name) {
      std::size_t after = name_start + name.size();
      if (after < xml.size() && (xml[after] == '>' || xml[after] == ' ' || xml[after] == '/' ||
                                 xml[after] == '\t' || xml[after] == '\n' || xml[after] == '\r')) {
        auto close = xml.find('>', after);
        if (close == std::string_view::npos) {
          return std::nullopt;
        }
        if (xml[close - 1] == '/') {
          return std::string_view();
        }
        std::string end_tag = "</" + std::string(name) + ">";
        auto end = xml.find(end_tag, close + 1);
        if (end == std::string_view::npos) {
          return std::nullopt;
        }
        return xml.substr(close + 1, end - close - 1);
      }
    }
    ++pos;
  }
  return std::nullopt;
}

std::optional<std::string> XmlText(std::string_view xml, std::string_view name) {
  auto inner = XmlElement(xml, name);
  if (!inner) {
    return std::nullopt;
  }
  return XmlUnescape(*inner);
}

}  // namespace lmcp::aws

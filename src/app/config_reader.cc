#include "app/config_reader.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/strings.h"

namespace lmcp::app {

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  std::string_view t = Trim(text);
  long long n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || end == t.data() || n < 0) {
    return std::nullopt;
  }
  std::string_view unit(end, t.data() + t.size() - end);
  using std::chrono::milliseconds;
  if (unit.empty() || unit == "s") {
    return milliseconds(n * 1000);
  }
  if (unit == "ms") {
    return milliseconds(n);
  }
  if (unit == "m") {
    return milliseconds(n * 60'000);
  }
  if (unit == "h") {
    return milliseconds(n * 3'600'000);
  }
  return std::nullopt;
}

std::optional<std::size_t> ParseByteSize(const std::string& text) {
  std::string_view t = Trim(text);
  unsigned long long n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || end == t.data()) {
    return std::nullopt;
  }
  std::string unit = AsciiLower(Trim(std::string_view(end, t.data() + t.size() - end)));
  int shift = 0;
  if (unit == "kib" || unit == "kb" || unit == "k") {
    shift = 10;
  } else if (unit == "mib" || unit == "mb" || unit == "m") {
    shift = 20;
  } else if (unit == "gib" || unit == "gb" || unit == "g") {
    shift = 30;
  } else if (!unit.empty() && unit != "b") {
    return std::nullopt;
  }
  if (n > (~0ULL >> shift)) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(n << shift);
}

bool ConfigNode::Has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

bool ConfigNode::ExpectMap(const std::vector<std::string>& known) const {
  if (!node_.IsMap()) {
    Problem("expected a map with keys " + Join(known, ", "));
    return false;
  }
  for (const auto& kv : node_) {
    auto key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) != known.end()) {
      continue;
    }
    std::string hint = ClosestMatch(key, known);
    problems_->Add(path_.empty() ? key : path_ + "." + key,
                   hint.empty() ? "unknown key (known: " + Join(known, ", ") + ")"
                                : "unknown key; did you mean '" + hint + "'?");
  }
  return true;
}

ConfigNode ConfigNode::operator[](const std::string& key) const {
  YAML::Node child = node_.IsMap() ? node_[key] : YAML::Node(YAML::NodeType::Undefined);
  return ConfigNode(child, path_.empty() ? key : path_ + "." + key, *problems_);
}

std::vector<ConfigNode> ConfigNode::Items() const {
  std::vector<ConfigNode> out;
  if (!present()) {
    return out;
  }
  if (!node_.IsSequence()) {
    Problem("expected a list");
    return out;
  }
  for (size_t i = 0; i < node_.size(); ++i) {
    out.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]", *problems_);
  }
  return out;
}

std::vector<std::pair<std::string, ConfigNode>> ConfigNode::Entries() const {
  std::vector<std::pair<std::string, ConfigNode>> out;
  if (!present()) {
    return out;
  }
  if (!node_.IsMap()) {
    Problem("expected a map");
    return out;
  }
  for (const auto& kv : node_) {
    auto key = kv.first.as<std::string>();
    out.emplace_back(key, ConfigNode(kv.second, path_ + "." + key, *problems_));
  }
  return out;
}

std::optional<std::string> ConfigNode::String() const {
  if (!present()) {
    return std::nullopt;
  }
  if (!node_.IsScalar()) {
    Problem("expected a plain value");
    return std::nullopt;
  }
  return node_.as<std::string>();
}

std::optional<bool> ConfigNode::Bool() const {
  auto text = String();
  if (!text) {
    return std::nullopt;
  }
  std::string v = AsciiLower(*text);
  if (v == "true" || v == "yes" || v == "on") {
    return true;
  }
  if (v == "false" || v == "no" || v == "off") {
    return false;
  }
  Problem("expected true or false, got '" + *text + "'");
  return std::nullopt;
}

std::optional<long long> ConfigNode::Integer(long long min, long long max) const {
  auto text = String();
  if (!text) {
    return std::nullopt;
  }
  long long n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n < min || n > max) {
    Problem("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" +
            *text + "'");
    return std::nullopt;
  }
  return n;
}

std::optional<std::chrono::milliseconds> ConfigNode::Duration() const {
  auto text = String();
  if (!text) {
    return std::nullopt;
  }
  auto d = ParseDuration(*text);
  if (!d) {
    Problem("expected a duration such as 90s, 15m or 1h, got '" + *text + "'");
  }
  return d;
}

std::optional<std::size_t> ConfigNode::ByteSize(std::size_t min, std::size_t max) const {
  auto text = String();
  if (!text) {
    return std::nullopt;
  }
  auto size = ParseByteSize(*text);
  if (!size || *size < min || *size > max) {
    Problem("expected a size from " + std::to_string(min >> 20) + "MiB to " + std::to_string(max >> 20) +
            "MiB such as 256MiB or 1GiB, got '" + *text + "'");
    return std::nullopt;
  }
  return size;
}

std::optional<double> ConfigNode::Fraction() const {
  auto text = String();
  if (!text) {
    return std::nullopt;
  }
  char* end = nullptr;
  double v = std::strtod(text->c_str(), &end);
  if (end == text->c_str() || *end != '\0' || !(v >= 0 && v <= 1)) {
    Problem("a fraction from 0 to 1, got '" + *text + "'");
    return std::nullopt;
  }
  return v;
}

std::vector<std::string> ConfigNode::StringList() const {
  std::vector<std::string> out;
  if (!present()) {
    return out;
  }
  if (node_.IsScalar()) {
    out.push_back(node_.as<std::string>());
    return out;
  }
  for (const auto& item : Items()) {
    if (auto s = item.String()) {
      out.push_back(*s);
    }
  }
  return out;
}

namespace {

nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) {
        out[kv.first.as<std::string>()] = ToJson(kv.second);
      }
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) {
        out.push_back(ToJson(item));
      }
      return out;
    }
    case YAML::NodeType::Scalar: {
      // A quoted scalar stays a string; a plain one is read as YAML 1.2 core would (bool, number, null).
      if (node.Tag() == "!") {
        return node.as<std::string>();
      }
      std::string text = node.as<std::string>();
      if (text == "true" || text == "false" || text == "null") {
        return nlohmann::json::parse(text);
      }
      auto number = nlohmann::json::parse(text, nullptr, false);
      return number.is_number() ? number : nlohmann::json(text);
    }
    default:
      return nullptr;
  }
}

}  // namespace

nlohmann::json ConfigNode::Json() const { return present() ? ToJson(node_) : nlohmann::json(); }

}  // namespace lmcp::app

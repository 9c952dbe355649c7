#include "common/json.h"

#include <string>
#include <utility>

namespace lmcp {
namespace {

// nlohmann's own DOM builder behind a depth counter: every SAX event is forwarded unchanged, and
// start_object/start_array return false (which stops the parser at once) one level past the limit.
template <class BasicJson>
class BoundedDomBuilder {
 public:
  using number_integer_t = typename BasicJson::number_integer_t;
  using number_unsigned_t = typename BasicJson::number_unsigned_t;
  using number_float_t = typename BasicJson::number_float_t;
  using string_t = typename BasicJson::string_t;
  using binary_t = typename BasicJson::binary_t;

  BoundedDomBuilder(BasicJson& root, std::size_t max_depth) : dom_(root, false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) { return dom_.number_float(v, s); }
  bool string(string_t& v) { return dom_.string(v); }
  bool binary(binary_t& v) { return dom_.binary(v); }
  bool key(string_t& v) { return dom_.key(v); }

  bool start_object(std::size_t n) { return Enter() && dom_.start_object(n); }
  bool start_array(std::size_t n) { return Enter() && dom_.start_array(n); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& last_token, const Exception& ex) {
    syntax_error_ = ex.what();
    return dom_.parse_error(position, last_token, ex);
  }

  bool too_deep() const { return too_deep_; }
  const std::string& syntax_error() const { return syntax_error_; }

 private:
  bool Enter() {
    if (depth_ >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  nlohmann::detail::json_sax_dom_parser<BasicJson> dom_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  std::string syntax_error_;
};

template <class BasicJson>
Result<BasicJson> ParseBounded(std::string_view text, std::size_t max_depth) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so "[1]\0anything" would parse as [1]. A NUL
  // can never be part of a JSON text (inside a string it must be escaped), so any NUL is refused outright.
  if (text.find('\0') != std::string_view::npos) {
    return Error::InvalidArgument("parse error: JSON text contains a NUL byte");
  }
  BasicJson value;
  BoundedDomBuilder<BasicJson> builder(value, max_depth);
  bool ok;
  // Exceptions do not leave this function: nlohmann throws only for conditions its SAX interface does not
  // report (e.g. an object too large for the container), and those become an ordinary parse failure.
  try {
    ok = BasicJson::sax_parse(text.data(), text.data() + text.size(), &builder);
  } catch (const nlohmann::json::exception& e) {
    return Error::InvalidArgument(e.what());
  }
  if (builder.too_deep()) {
    return Error::ResourceExhausted("JSON is nested deeper than " + std::to_string(max_depth) + " levels");
  }
  if (!ok) {
    return Error::InvalidArgument(builder.syntax_error().empty() ? std::string("invalid JSON")
                                                                 : builder.syntax_error());
  }
  return value;
}

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, std::size_t max_depth) {
  return ParseBounded<nlohmann::json>(text, max_depth);
}

Result<nlohmann::ordered_json> ParseOrderedJson(std::string_view text, std::size_t max_depth) {
  return ParseBounded<nlohmann::ordered_json>(text, max_depth);
}

bool IsJsonTooDeep(const Error& error) { return error.code == ErrorCode::kResourceExhausted; }

nlohmann::json ParseJsonOrDiscarded(std::string_view text, std::size_t max_depth) {
  auto parsed = ParseJson(text, max_depth);
  if (!parsed.ok()) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return std::move(parsed).value();
}

}  // namespace lmcp

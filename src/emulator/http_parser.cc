#include "emulator/http_parser.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "common/strings.h"

namespace lmcp::emulator {
namespace {

constexpr size_t kMaxChunkSizeLineBytes = 1024;  // hex size plus chunk extensions (ignored)

// RFC 9110 tchar.
bool IsTokenChar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return IsTokenChar(c); });
}

// Field values: visible characters, spaces, tabs and obs-text; no other control characters.
bool IsFieldValue(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });
}

}  // namespace

std::string HeaderValue(const aws::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) {
      return v;
    }
  }
  return "";
}

ServerRequest RequestParser::TakeRequest() {
  ServerRequest out = std::move(request_);
  request_ = ServerRequest();
  state_ = State::kRequestLine;
  line_.clear();
  started_ = false;
  expects_continue_ = false;
  head_bytes_ = 0;
  header_count_ = 0;
  remaining_ = 0;
  return out;
}

bool RequestParser::Fail(int status, std::string message) {
  state_ = State::kError;
  error_status_ = status;
  error_message_ = std::move(message);
  line_.clear();
  return false;
}

bool RequestParser::TakeLine(std::string_view data, size_t* pos, size_t max_line, int too_long_status,
                             bool counts_as_head, std::string* line) {
  size_t lf = data.find('\n', *pos);
  size_t end = lf == std::string_view::npos ? data.size() : lf;
  size_t taken = end - *pos;
  // line_ may end in the CR of a CR LF, so one byte over max_line is allowed until the LF shows.
  if (line_.size() + taken > max_line + 1) {
    return Fail(too_long_status, too_long_status == 414 ? "request line too long" : "line too long");
  }
  size_t with_lf = taken + (lf == std::string_view::npos ? 0 : 1);
  if (counts_as_head) {
    head_bytes_ += with_lf;
    if (head_bytes_ > limits_.max_header_bytes) {
      return Fail(431, "request headers too large");
    }
  }
  line_.append(data.substr(*pos, taken));
  *pos += with_lf;
  if (lf == std::string_view::npos) {
    return false;
  }
  if (!line_.empty() && line_.back() == '\r') {
    line_.pop_back();
  }
  if (line_.size() > max_line) {
    return Fail(too_long_status, too_long_status == 414 ? "request line too long" : "line too long");
  }
  if (line_.find('\r') != std::string::npos) {
    return Fail(400, "bare CR in a line");
  }
  line->swap(line_);
  line_.clear();
  return true;
}

bool RequestParser::OnRequestLine(const std::string& line) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string::npos ? std::string::npos : line.find(' ', sp1 + 1);
  if (sp2 == std::string::npos || line.find(' ', sp2 + 1) != std::string::npos) {
    return Fail(400, "malformed request line");
  }
  std::string_view method = std::string_view(line).substr(0, sp1);
  std::string_view target = std::string_view(line).substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = std::string_view(line).substr(sp2 + 1);
  if (!IsToken(method)) {
    return Fail(400, "malformed method");
  }
  if (target.empty() ||
      !std::all_of(target.begin(), target.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; })) {
    return Fail(400, "malformed request target");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return Fail(400, "unsupported HTTP version");
  }
  request_.method = std::string(method);
  request_.target = std::string(target);
  size_t q = target.find('?');
  request_.path = std::string(target.substr(0, q));
  request_.query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
  request_.version = std::string(version);
  return true;
}

bool RequestParser::OnHeaderLine(const std::string& line) {
  if (++header_count_ > limits_.max_header_count) {
    return Fail(431, "too many headers");
  }
  if (line.front() == ' ' || line.front() == '\t') {
    return Fail(400, "obsolete line folding");
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos || !IsToken(std::string_view(line).substr(0, colon))) {
    return Fail(400, "malformed header line");
  }
  std::string_view value = Trim(std::string_view(line).substr(colon + 1), kHttpWhitespace);
  if (!IsFieldValue(value)) {
    return Fail(400, "control character in a header value");
  }
  std::string name = line.substr(0, colon);
  bool repeated = std::any_of(request_.headers.begin(), request_.headers.end(),
                              [&](const auto& h) { return IEquals(h.first, name); });
  if (IEquals(name, "Content-Length")) {
    if (value.empty() ||
        !std::all_of(value.begin(), value.end(), [](unsigned char c) { return c >= '0' && c <= '9'; })) {
      return Fail(400, "malformed Content-Length");
    }
    if (repeated && HeaderValue(request_.headers, name) != value) {
      return Fail(400, "conflicting Content-Length headers");
    }
    size_t length = 0;
    for (unsigned char c : value) {
      length = length * 10 + (c - '0');
      if (length > limits_.max_body_bytes) {
        return Fail(413, "request body too large");
      }
    }
    if (repeated) {
      return true;  // the same value again: keep one
    }
  } else if ((IEquals(name, "Transfer-Encoding") || IEquals(name, "Host")) && repeated) {
    return Fail(400,
                "repeated " + std::string(IEquals(name, "Host") ? "Host" : "Transfer-Encoding") + " header");
  }
  request_.headers.emplace_back(std::move(name), std::string(value));
  return true;
}

bool RequestParser::OnHeadEnd() {
  bool has_length = false;
  bool has_coding = false;
  for (const auto& [k, v] : request_.headers) {
    has_length = has_length || IEquals(k, "Content-Length");
    has_coding = has_coding || IEquals(k, "Transfer-Encoding");
  }
  if (has_coding) {
    if (has_length) {
      return Fail(400, "both Content-Length and Transfer-Encoding");
    }
    if (!IEquals(HeaderValue(request_.headers, "Transfer-Encoding"), "chunked")) {
      return Fail(501, "unsupported Transfer-Encoding (only chunked)");
    }
    state_ = State::kChunkSize;
  } else if (has_length) {
    remaining_ = std::stoull(HeaderValue(request_.headers, "Content-Length"));  // checked: digits, <= the cap
    state_ = remaining_ == 0 ? State::kComplete : State::kBody;
  } else {
    state_ = State::kComplete;
  }
  expects_continue_ =
      state_ != State::kComplete && IEquals(HeaderValue(request_.headers, "Expect"), "100-continue");
  return true;
}

bool RequestParser::OnChunkSize(const std::string& line) {
  size_t digits = 0;
  while (digits < line.size() && HexDigitValue(line[digits]) >= 0) {
    ++digits;
  }
  std::string_view rest = Trim(std::string_view(line).substr(digits), kHttpWhitespace);
  if (digits == 0 || (!rest.empty() && rest.front() != ';')) {
    return Fail(400, "malformed chunk size");
  }
  // Compare with what the cap still allows at every digit, so no size can overflow or be allocated.
  size_t allowed = limits_.max_body_bytes - request_.body.size();
  size_t size = 0;
  for (size_t i = 0; i < digits; ++i) {
    size = size * 16 + static_cast<size_t>(HexDigitValue(line[i]));
    if (size > allowed) {
      return Fail(413, "request body too large");
    }
  }
  remaining_ = size;
  state_ = size == 0 ? State::kTrailer : State::kChunkData;
  return true;
}

bool RequestParser::OnTrailerLine(const std::string& line) {
  if (++header_count_ > limits_.max_header_count) {
    return Fail(431, "too many trailers");
  }
  size_t colon = line.find(':');
  if (line.front() == ' ' || line.front() == '\t' || colon == std::string::npos ||
      !IsToken(std::string_view(line).substr(0, colon)) ||
      !IsFieldValue(std::string_view(line).substr(colon + 1))) {
    return Fail(400, "malformed trailer line");
  }
  return true;  // trailers are checked, then dropped
}

RequestParser::Event RequestParser::Feed(std::string_view data, size_t* consumed) {
  size_t pos = 0;
  auto stop = [&](Event e) {
    *consumed = pos;
    return e;
  };
  std::string line;
  for (;;) {
    switch (state_) {
      case State::kError:
        return stop(Event::kError);
      case State::kComplete:
        return stop(Event::kRequestComplete);
      default:
        break;
    }
    if (pos == data.size()) {
      return stop(Event::kNeedMore);
    }
    switch (state_) {
      case State::kRequestLine:
        started_ = true;
        if (TakeLine(data, &pos, limits_.max_request_line_bytes, 414, true, &line) && !line.empty() &&
            OnRequestLine(line)) {
          state_ = State::kHeaderLine;
        }
        break;  // a blank line before the request line is skipped (it still counts toward the head)
      case State::kHeaderLine:
        if (TakeLine(data, &pos, limits_.max_header_line_bytes, 431, true, &line)) {
          if (line.empty()) {
            if (OnHeadEnd()) {
              return stop(Event::kHeadComplete);
            }
          } else {
            OnHeaderLine(line);
          }
        }
        break;
      case State::kBody:
      case State::kChunkData: {
        size_t n = std::min(remaining_, data.size() - pos);
        request_.body.append(data.substr(pos, n));
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          state_ = state_ == State::kBody ? State::kComplete : State::kChunkDataEnd;
        }
        break;
      }
      case State::kChunkDataEnd:
        if (TakeLine(data, &pos, 0, 400, false, &line)) {
          if (line.empty()) {
            state_ = State::kChunkSize;
          } else {
            Fail(400, "chunk data longer than its size");
          }
        }
        break;
      case State::kChunkSize:
        if (TakeLine(data, &pos, kMaxChunkSizeLineBytes, 400, false, &line)) {
          OnChunkSize(line);
        }
        break;
      case State::kTrailer:
        if (TakeLine(data, &pos, limits_.max_header_line_bytes, 431, true, &line)) {
          if (line.empty()) {
            state_ = State::kComplete;
          } else {
            OnTrailerLine(line);
          }
        }
        break;
      case State::kComplete:
      case State::kError:
        break;  // handled above
    }
  }
}

}  // namespace lmcp::emulator

#pragma once
// HTTP/1.1 request framing for the local endpoint, without sockets: the request line, headers,
// Content-Length and chunked bodies, fed incrementally. Every limit is enforced while bytes arrive, before
// anything of a claimed size is allocated: a body never grows past FramingLimits::max_body_bytes, and the
// head (request line, header lines, trailers) never past max_header_bytes. One parser per connection; not
// thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "aws/http_types.h"

namespace lmcp::emulator {

struct ServerRequest {
  std::string method;
  std::string target;   // as received: path[?query], still percent-encoded
  std::string path;     // target before '?', still percent-encoded
  std::string query;    // after '?', still percent-encoded
  std::string version;  // "HTTP/1.1" or "HTTP/1.0"
  aws::Headers headers;
  std::string body;
  // The connection's socket while the request is handled (-1 = none): a handler may poll it for POLLRDHUP to
  // notice a client that went away (local Invoke aborts its handler then). Never read or written by handlers.
  int peer_fd = -1;
};

// Lambda refuses synchronous Invoke payloads over 6 MB (RequestTooLargeException, which the service answers
// itself); the HTTP layer allows that plus a margin for the other operations' envelopes.
inline constexpr size_t kLambdaMaxRequestBytes = 6 * 1024 * 1024;
inline constexpr size_t kDefaultMaxBodyBytes = kLambdaMaxRequestBytes + 1024 * 1024;

struct FramingLimits {
  size_t max_body_bytes = kDefaultMaxBodyBytes;  // Content-Length or the sum of chunks; 413 above
  size_t max_request_line_bytes = 8 * 1024;      // 414 above
  size_t max_header_line_bytes = 8 * 1024;       // one header or trailer line; 431 above
  size_t max_header_count = 100;                 // headers plus trailers; 431 above
  size_t max_header_bytes = 64 * 1024;           // request line, headers and trailers together; 431 above
};

class RequestParser {
 public:
  enum class Event {
    kNeedMore,         // every byte given was consumed; feed more
    kHeadComplete,     // the head was just completed (once per request; answer Expect: 100-continue now)
    kRequestComplete,  // the request is complete; bytes after `consumed` belong to the next one
    kError,            // malformed or over a limit: answer error_status() and close the connection
  };

  explicit RequestParser(const FramingLimits& limits) : limits_(limits) {}

  // Consumes a prefix of `data` (its length in *consumed) and says what happened. Call again with the rest
  // after kHeadComplete; after kRequestComplete take the request; after kError stop.
  Event Feed(std::string_view data, size_t* consumed);

  // Before the head is complete (the head deadline applies) or after (the body's idle timeout applies).
  bool in_head() const { return state_ == State::kRequestLine || state_ == State::kHeaderLine; }
  // True once any byte of the current request (blank lines before it included) has been consumed.
  bool started() const { return started_; }
  // The request so far: its head after kHeadComplete, complete after kRequestComplete.
  const ServerRequest& request() const { return request_; }
  // True when the head asks for `100 Continue` and a body follows.
  bool expects_continue() const { return expects_continue_; }
  // Moves the complete request out and gets ready for the next one on the same connection.
  ServerRequest TakeRequest();

  int error_status() const { return error_status_; }                   // 400, 413, 414, 431 or 501
  const std::string& error_message() const { return error_message_; }  // fixed text, never input

 private:
  enum class State {
    kRequestLine,
    kHeaderLine,
    kBody,  // Content-Length bytes remain
    kChunkSize,
    kChunkData,
    kChunkDataEnd,  // the CRLF after a chunk's data
    kTrailer,
    kComplete,
    kError,
  };
  // Appends bytes of the current line to line_; true with the line (CR LF or LF stripped) once complete.
  bool TakeLine(std::string_view data, size_t* pos, size_t max_line, int too_long_status, bool counts_as_head,
                std::string* line);
  bool Fail(int status, std::string message);
  bool OnRequestLine(const std::string& line);
  bool OnHeaderLine(const std::string& line);
  bool OnHeadEnd();
  bool OnChunkSize(const std::string& line);
  bool OnTrailerLine(const std::string& line);

  FramingLimits limits_;
  State state_ = State::kRequestLine;
  ServerRequest request_;
  std::string line_;
  bool started_ = false;
  bool expects_continue_ = false;
  size_t head_bytes_ = 0;    // head and trailer bytes so far, line terminators included
  size_t header_count_ = 0;  // headers and trailers so far
  size_t remaining_ = 0;     // body or chunk bytes still to come
  int error_status_ = 0;
  std::string error_message_;
};

// Case-insensitive header lookup; the first value, or empty when absent.
std::string HeaderValue(const aws::Headers& headers, std::string_view name);
}  // namespace lmcp::emulator

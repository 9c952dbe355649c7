// libFuzzer target: the local endpoint's HTTP/1.1 request framing (emulator/http_parser.h) on arbitrary
// bytes: request line, headers, Content-Length, chunked bodies and trailers, pipelined requests. The first
// input byte picks small limits and how the rest is split into reads. Checks that no limit is ever exceeded,
// that a request's body never outgrows the cap, and that splitting the bytes differently never changes the
// result.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "emulator/http_parser.h"
#include "fuzz/fuzz_input.h"

namespace em = lmcp::emulator;

namespace {

void Check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

// One outcome per request (or the error that ended the stream), as a comparable string.
std::vector<std::string> ParseAll(const std::string& bytes, const em::FramingLimits& limits, size_t step) {
  em::RequestParser parser(limits);
  std::vector<std::string> outcomes;
  size_t pos = 0;
  for (;;) {
    size_t n = std::min(step, bytes.size() - pos);
    size_t used = 0;
    auto event = parser.Feed(std::string_view(bytes).substr(pos, n), &used);
    Check(used <= n);
    pos += used;
    Check(parser.request().body.size() <= limits.max_body_bytes);
    switch (event) {
      case em::RequestParser::Event::kNeedMore:
        Check(used == n);
        if (pos == bytes.size()) {
          return outcomes;
        }
        break;
      case em::RequestParser::Event::kHeadComplete:
        Check(!parser.request().method.empty());
        Check(parser.request().headers.size() <= limits.max_header_count);
        break;
      case em::RequestParser::Event::kRequestComplete: {
        em::ServerRequest r = parser.TakeRequest();
        std::string out = r.method + " " + r.target + " " + r.version + "\n";
        for (const auto& [k, v] : r.headers) {
          out += k + ":" + v + "\n";
        }
        outcomes.push_back(out + "\n" + r.body);
        break;
      }
      case em::RequestParser::Event::kError: {
        int s = parser.error_status();
        Check(s == 400 || s == 413 || s == 414 || s == 431 || s == 501);
        Check(!parser.error_message().empty());
        size_t again = 0;
        Check(parser.Feed("x", &again) == em::RequestParser::Event::kError);
        // Which head limit trips first (the line's or the whole head's) may depend on how bytes are split.
        outcomes.push_back("error " + std::to_string(s == 414 ? 431 : s));
        return outcomes;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lmcp::fuzz::FuzzInput in(data, size);
  uint8_t shape = in.Byte();
  em::FramingLimits limits;
  limits.max_body_bytes = 1 + (shape & 0x0f) * 64;  // small, so the fuzzer reaches the caps
  limits.max_header_count = 1 + ((shape >> 4) & 0x07) * 4;
  limits.max_header_line_bytes = 200;
  limits.max_request_line_bytes = 200;
  limits.max_header_bytes = 1024;
  size_t step = 1 + in.Byte() % 13;
  std::string bytes = in.Rest();
  std::vector<std::string> whole = ParseAll(bytes, limits, bytes.size() + 1);
  std::vector<std::string> split = ParseAll(bytes, limits, step);
  Check(whole == split);
  return 0;
}

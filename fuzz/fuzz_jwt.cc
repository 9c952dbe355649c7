// libFuzzer target: the OAuth parsers on arbitrary bytes. The first byte picks the mode:
//  0: the rest is a compact JWT, verified against the fixed JWKS (fuzz/fixed_jwks.h), bare and as a
//     "Bearer" Authorization header;
//  1: the rest is a JWKS document, parsed into keys;
//  2: the rest is text for the log-line escaper, the JWKS URL check and the token-strength estimate.
// Whatever the input, nothing may throw or crash, and escaped log text must hold no control bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/log_text.h"
#include "fuzz/fixed_jwks.h"
#include "transport/http_auth.h"
#include "transport/jwt_verifier.h"

namespace tr = lmcp::transport;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      tr::JwtAuthenticator& jwt = lmcp::fuzz::FixedJwtAuthenticator();
      (void)jwt.Verify(rest);
      (void)jwt.Authenticate("Bearer " + std::string(rest));
      break;
    }
    case 1: {
      auto keys = tr::ParseJwks(rest);
      if (keys.ok()) {
        for (const auto& [kid, key] : *keys) {
          if (!key) {
            std::abort();  // a parsed key is always usable
          }
        }
      }
      break;
    }
    default: {
      std::string line = lmcp::ForLog(rest, 64);
      for (unsigned char c : line) {
        if (c < 0x20 || c == 0x7f) {
          std::abort();
        }
      }
      if (line.size() > 64 + 3) {
        std::abort();
      }
      (void)tr::CheckJwksUrl(rest);
      (void)tr::EstimateTokenBits(rest);
      break;
    }
  }
  return 0;
}

#pragma once
// How LocalService answers a request whose SigV4 signature does not pass (service_auth.cc). Internal to the
// emulator; pure functions.

#include <string>

namespace lmcp::emulator {

// The error AWS answers for a failed signature check.
struct SignatureRefusal {
  int status = 403;
  std::string code;
  std::string message;
};

// Maps the verifier's message (aws::Verify names the AWS error code, as "Code: message") to AWS's answer:
// the first known code it names, with the text after "Code:" as the message; InvalidSignatureException
// with the whole message when it names none.
SignatureRefusal RefusalFor(std::string verifier_message);

}  // namespace lmcp::emulator

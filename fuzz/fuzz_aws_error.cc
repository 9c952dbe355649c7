// libFuzzer target: AWS error-body parsing (rest-json, json 1.1 and query/XML) of arbitrary responses.

#include <cstddef>
#include <cstdint>

#include "aws/aws_error.h"
#include "fuzz/fuzz_input.h"

namespace aws = lmcp::aws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lmcp::fuzz::FuzzInput in(data, size);
  aws::HttpResponse response;
  response.status = in.Int(100, 599);
  static const char* kNames[] = {"x-amzn-ErrorType", "x-amzn-RequestId", "Retry-After",
                                 "x-amz-request-id", "Content-Type",     "x-amz-function-error"};
  int headers = in.Int(0, 4);
  for (int i = 0; i < headers; ++i) {
    response.headers.emplace_back(kNames[in.Int(0, 5)], in.String(64));
  }
  response.body = in.Rest();
  for (auto protocol : {aws::Protocol::kRestJson, aws::Protocol::kJson11, aws::Protocol::kQuery}) {
    aws::AwsError error = aws::ParseError(protocol, response);
    (void)error.ToString();
    (void)error.ToError();
    (void)error.retryable();
  }
  return 0;
}

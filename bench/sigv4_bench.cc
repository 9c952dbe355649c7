// Per-request SigV4 cost: signing the requests lambda-mcp sends (a bodiless GET, an Invoke with a 1 KiB and a
// 256 KiB payload, a session token) and server-side verification. Run: build-release/bench/sigv4_bench

#include <benchmark/benchmark.h>

#include "aws/sigv4.h"
#include "common/iso8601.h"

namespace lmcp::aws {
namespace {

const Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt};
const Credentials kSessionCreds{"ASIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                std::string(800, 'T'), std::nullopt};

SigningParams Params() {
  return SigningParams{
      .region = "us-east-1", .service = "lambda", .time = *ParseIso8601Basic("20261124T005413Z")};
}

HttpRequest InvokeRequest(std::size_t payload_bytes) {
  HttpRequest req{
      .method = "POST",
      .url = "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/alpha/invocations?Qualifier=prod",
      .body = std::string(payload_bytes, 'x')};
  req.headers = {{"X-Amz-Invocation-Type", "RequestResponse"}, {"X-Amz-Log-Type", "Tail"}};
  return req;
}

void BM_SignListFunctions(benchmark::State& state) {
  const HttpRequest base{
      .method = "GET",
      .url = "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/?Marker=abc%2B&MaxItems=50"};
  for (auto _ : state) {
    HttpRequest req = base;
    auto r = Sign(req, kCreds, Params());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SignListFunctions);

void BM_SignInvoke(benchmark::State& state) {
  const HttpRequest base = InvokeRequest(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    HttpRequest req = base;
    auto r = Sign(req, kCreds, Params());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_SignInvoke)->Arg(1024)->Arg(256 * 1024);

void BM_SignInvokeWithSessionToken(benchmark::State& state) {
  const HttpRequest base = InvokeRequest(1024);
  for (auto _ : state) {
    HttpRequest req = base;
    auto r = Sign(req, kSessionCreds, Params());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SignInvokeWithSessionToken);

void BM_VerifyInvoke(benchmark::State& state) {
  HttpRequest req = InvokeRequest(1024);
  (void)Sign(req, kCreds, Params());
  SecretLookup lookup = [](const std::string&) { return std::optional<Credentials>(kCreds); };
  auto now = Params().time;
  for (auto _ : state) {
    auto r = Verify(req, lookup, now);
    if (!r.ok()) {
      state.SkipWithError("verification failed");
    }
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_VerifyInvoke);

}  // namespace
}  // namespace lmcp::aws

BENCHMARK_MAIN();

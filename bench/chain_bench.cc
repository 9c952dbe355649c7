// The tools/call chain's own cost per call, over a backend that answers at once: the chain with no optional
// stage ("none") against every stage on ("all": audit, validation, result cache, rate limits, concurrency
// caps, circuit breaker, progress), each call a cache miss with new arguments, and "all_cache_hit" (the same
// arguments every call). Issue 17 asks all - none <= 20 us per call.
// Run: build-release/bench/chain_bench

#include <benchmark/benchmark.h>

#include <atomic>
#include <stop_token>
#include <string>

#include "catalog/call/compose.h"

namespace lmcp::bench {
namespace {

using catalog::CatalogOptions;

class InstantBackend final : public catalog::LambdaBackend {
 public:
  Result<std::vector<catalog::FunctionInfo>> ListFunctions() override {
    return std::vector<catalog::FunctionInfo>{};
  }
  Result<std::vector<catalog::TaggedResource>> GetTaggedFunctions(const std::string&,
                                                                  const std::string&) override {
    return std::vector<catalog::TaggedResource>{};
  }
  Result<catalog::Tags> ListTags(const std::string&) override { return catalog::Tags{}; }
  Result<catalog::SchemaDocument> DescribeSchema(const catalog::SchemaRequest&) override {
    return Error::NotFound("none");
  }
  Result<catalog::InvokeResponse> Invoke(catalog::InvokeRequest request, std::stop_token) override {
    return catalog::InvokeResponse{.payload = R"({"ok":true,"echo":)" + request.payload + "}",
                                   .executed_version = "$LATEST",
                                   .request_id = "00000000-0000-0000-0000-000000000000"};
  }
};

class OneTool final : public catalog::ToolDirectory {
 public:
  OneTool() {
    auto e = std::make_shared<catalog::ToolEntry>();
    e->definition.name = "echo";
    e->function.name = "echo";
    e->function.arn = "arn:aws:lambda:us-east-1:123456789012:function:echo";
    e->tags = {{"mcp:cache-ttl", "300"}, {"owner", "bench"}};
    entry_ = e;
  }
  Result<std::shared_ptr<const catalog::ToolEntry>> Find(const std::string&) override { return entry_; }

 private:
  std::shared_ptr<const catalog::ToolEntry> entry_;
};

class NullSink final : public catalog::AuditSink {
 public:
  void Write(const std::string& line) override { benchmark::DoNotOptimize(line.data()); }
};

class QuietContext final : public mcp::CallContext {
 public:
  std::stop_token stop_token() const override { return stop_.get_token(); }
  void Progress(double, std::optional<double>, std::string) override {}
  void Log(mcp::LogLevel, const mcp::Json&, std::string) override {}
  const std::string& protocol_version() const override { return version_; }
  const mcp::Identity& identity() const override { return identity_; }
  Result<mcp::Json> RequestClient(const std::string&, const mcp::Json&) override {
    return Error::FailedPrecondition("none");
  }

 private:
  std::stop_source stop_;
  std::string version_ = "2025-11-25";
  mcp::Identity identity_{.name = "token:bench"};
};

CatalogOptions NoOptionalStage() {
  CatalogOptions o;
  o.validate_arguments = false;
  o.progress_interval = std::chrono::seconds(0);
  o.max_concurrency_per_function = 0;
  o.guardrails.rate_limits.tool_tags = false;
  o.guardrails.cache.tool_tags = false;
  return o;
}

CatalogOptions EveryStage() {
  CatalogOptions o;
  o.validate_arguments = true;
  o.progress_interval = std::chrono::seconds(5);
  o.max_concurrency_per_function = 1000;
  auto high = catalog::ParseRate("1000000/s,burst=1000000").value();
  o.guardrails.rate_limits = {.global = high,
                              .per_principal = high,
                              .per_target = high,
                              .per_tool = high,
                              .max_concurrent_per_principal = 1000,
                              .max_concurrent_per_tool = 1000};
  o.guardrails.breaker.enabled = true;
  return o;  // the cache: the tool's mcp:cache-ttl tag
}

void RunChain(benchmark::State& state, const CatalogOptions& options, bool audit, bool same_arguments) {
  OneTool tools;
  InstantBackend backend;
  NullSink sink;
  catalog::CallAuditor auditor(sink, Clock::System());
  catalog::CallChain chain = catalog::ComposeCallChain(
      options,
      {.tools = tools, .clock = Clock::System(), .auditor = audit ? &auditor : nullptr, .backend = &backend});
  QuietContext ctx;
  std::int64_t n = 0;
  for (auto _ : state) {
    mcp::Json arguments = {
        {"customerId", "12345"}, {"n", same_arguments ? 0 : n++}, {"query", "open orders"}};
    catalog::LambdaCall call("echo", std::move(arguments), ctx, Clock::System().Steady());
    auto result = BlockOn(chain.Run(call));
    if (!result.ok() || result->is_error) {
      state.SkipWithError("the call failed");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
}

void BM_Chain_none(benchmark::State& state) { RunChain(state, NoOptionalStage(), false, false); }
void BM_Chain_all(benchmark::State& state) { RunChain(state, EveryStage(), true, false); }
void BM_Chain_all_cache_hit(benchmark::State& state) { RunChain(state, EveryStage(), true, true); }
BENCHMARK(BM_Chain_none);
BENCHMARK(BM_Chain_all);
BENCHMARK(BM_Chain_all_cache_hit);

}  // namespace
}  // namespace lmcp::bench

BENCHMARK_MAIN();

#pragma once
// A CallContext for unit tests: a stop source the test controls, recorded progress and log messages.

#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "mcp/tool_provider.h"

namespace lmcp::catalog {

class TestCallContext : public mcp::CallContext {
 public:
  explicit TestCallContext(std::string version = "2025-11-25") : version_(std::move(version)) {}
  std::stop_token stop_token() const override { return stop_.get_token(); }
  void Progress(double, std::optional<double>, std::string) override {}
  void Log(mcp::LogLevel, const mcp::Json& data, std::string) override {
    std::lock_guard lock(mu_);
    logs.push_back(data);
  }
  const std::string& protocol_version() const override { return version_; }
  const std::string& principal() const override { return principal_; }
  Result<mcp::Json> RequestClient(const std::string&, const mcp::Json&) override {
    return Error::FailedPrecondition("not supported in tests");
  }
  void Cancel() { stop_.request_stop(); }

  std::vector<mcp::Json> logs;

 private:
  std::mutex mu_;
  std::stop_source stop_;
  std::string version_;
  std::string principal_ = "test";
};

}  // namespace lmcp::catalog

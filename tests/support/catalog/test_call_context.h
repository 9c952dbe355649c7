#pragma once
// A CallContext for unit tests: a stop source the test controls, the request's _meta, recorded progress and
// log messages.

#include <atomic>
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
  mcp::CallFate fate() const override { return fate_.load(); }
  void Progress(double progress, std::optional<double>, std::string message) override {
    std::lock_guard lock(mu_);
    progress_values.push_back(progress);
    progress_messages.push_back(std::move(message));
  }
  std::size_t progress_count() {
    std::lock_guard lock(mu_);
    return progress_values.size();
  }
  void Log(mcp::LogLevel, const mcp::Json& data, std::string) override {
    std::lock_guard lock(mu_);
    logs.push_back(data);
  }
  const std::string& protocol_version() const override { return version_; }
  const mcp::Identity& identity() const override { return caller; }
  Result<mcp::Json> RequestClient(const std::string&, const mcp::Json&) override {
    return Error::FailedPrecondition("not supported in tests");
  }
  const mcp::Json& request_meta() const override { return meta; }
  void Cancel() { stop_.request_stop(); }
  // As the session does at shutdown (kAbandoned) or for a client that is gone (kClientGone, no stop).
  void SetFate(mcp::CallFate fate, bool stop) {
    fate_ = fate;
    if (stop) {
      stop_.request_stop();
    }
  }

  mcp::Json meta = mcp::Json::object();    // the request's params._meta
  mcp::Identity caller{.name = "test"};  // who is calling; set before the call
  std::vector<mcp::Json> logs;
  std::vector<double> progress_values;
  std::vector<std::string> progress_messages;

 private:
  std::mutex mu_;
  std::stop_source stop_;
  std::atomic<mcp::CallFate> fate_{mcp::CallFate::kDeliver};
  std::string version_;
};

}  // namespace lmcp::catalog

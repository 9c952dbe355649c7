#pragma once
// An in-memory LambdaBackend for unit tests: functions with tags and schemas, scripted failures per
// operation, an invoke handler, and counters of every call. Thread-safe (one mutex); the invoke handler runs
// unlocked. With HoldInvokes(true), InvokeAsync parks each Invoke without a thread, as an event-driven HTTP
// client would, until the test releases it; a stop aborts a held Invoke, which then ends kCancelled on the
// backend's own completion thread (never inside request_stop(), as an event loop's I/O thread would).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "catalog/lambda_backend.h"

namespace lmcp::catalog {

class FakeLambdaBackend : public LambdaBackend {
 public:
  struct Function {
    FunctionInfo info;
    Tags tags;
  };
  using InvokeHandler = std::function<Result<InvokeResponse>(const InvokeRequest&, std::stop_token)>;

  // Adds a function in account 123456789012, us-east-1, with a 3 s timeout.
  FunctionInfo& AddFunction(const std::string& name, const std::string& description = "", Tags tags = {});
  void RemoveFunction(const std::string& name);
  void SetTags(const std::string& name, Tags tags);
  // Schemas are keyed "<region>/<registry>/<name>".
  void AddSchema(const std::string& region, const std::string& registry, const std::string& name,
                 SchemaDocument doc);

  // Scripted failures: returned instead of the normal answer while set.
  void FailListFunctions(std::optional<Error> e);
  void FailGetResources(std::optional<Error> e);
  void FailListTags(std::optional<Error> e);
  void FailDescribeSchema(std::optional<Error> e);
  // Default handler: echo the payload back with status 200.
  void SetInvokeHandler(InvokeHandler handler);

  Result<std::vector<FunctionInfo>> ListFunctions() override;
  Result<std::vector<TaggedResource>> GetTaggedFunctions(const std::string& tag_key,
                                                         const std::string& tag_value) override;
  Result<Tags> ListTags(const std::string& function_arn) override;
  Result<SchemaDocument> DescribeSchema(const SchemaRequest& request) override;
  Result<InvokeResponse> Invoke(InvokeRequest request, std::stop_token stop) override;
  Async<Result<InvokeResponse>> InvokeAsync(InvokeRequest request, std::stop_token stop) override;

  // Held invokes (InvokeAsync only): counted and recorded when they arrive, answered (the handler, or the
  // echo) by ReleaseHeld on the releasing thread, which then runs each call on until it ends or waits.
  void HoldInvokes(bool hold);
  int ReleaseHeld();  // returns how many it answered
  int held() const;
  bool WaitHeld(int count);     // until `count` invokes are held; false after 20 s (a hang, not a timing)
  bool WaitAborted(int count);  // until `count` held invokes were aborted; likewise
  std::atomic<int> aborted{0};  // held invokes a stop ended

  // Simulated pages: ListFunctions counts ceil(N/50) calls, GetResources ceil(matches/100).
  std::atomic<int> list_functions_calls{0};
  std::atomic<int> get_resources_calls{0};
  std::atomic<int> list_tags_calls{0};
  std::atomic<int> describe_schema_calls{0};
  std::atomic<int> invoke_calls{0};
  std::vector<InvokeRequest> invokes() const;

 private:
  mutable std::mutex mu_;
  std::vector<Function> functions_;
  std::map<std::string, SchemaDocument> schemas_;
  std::optional<Error> fail_list_functions_, fail_get_resources_, fail_list_tags_, fail_describe_schema_;
  InvokeHandler invoke_handler_;
  std::vector<InvokeRequest> invokes_;
  struct Held;
  Result<InvokeResponse> Answer(const InvokeRequest& request, std::stop_token stop);
  bool hold_ = false;
  std::list<std::shared_ptr<Held>> held_;
  std::condition_variable held_cv_;
  std::unique_ptr<ThreadExecutor> completions_ = std::make_unique<ThreadExecutor>(1);  // aborted invokes
};

}  // namespace lmcp::catalog

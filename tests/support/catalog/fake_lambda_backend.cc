#include "tests/support/catalog/fake_lambda_backend.h"

#include <algorithm>
#include <chrono>

namespace lmcp::catalog {

FunctionInfo& FakeLambdaBackend::AddFunction(const std::string& name, const std::string& description,
                                             Tags tags) {
  std::lock_guard lock(mu_);
  Function f;
  f.info.name = name;
  f.info.arn = "arn:aws:lambda:us-east-1:123456789012:function:" + name;
  f.info.description = description;
  f.info.runtime = "python3.12";
  f.tags = std::move(tags);
  functions_.push_back(std::move(f));
  return functions_.back().info;
}

void FakeLambdaBackend::RemoveFunction(const std::string& name) {
  std::lock_guard lock(mu_);
  std::erase_if(functions_, [&](const Function& f) { return f.info.name == name; });
}

void FakeLambdaBackend::SetTags(const std::string& name, Tags tags) {
  std::lock_guard lock(mu_);
  for (auto& f : functions_) {
    if (f.info.name == name) {
      f.tags = tags;
    }
  }
}

void FakeLambdaBackend::AddSchema(const std::string& region, const std::string& registry,
                                  const std::string& name, SchemaDocument doc) {
  std::lock_guard lock(mu_);
  schemas_[region + "/" + registry + "/" + name] = std::move(doc);
}

void FakeLambdaBackend::FailListFunctions(std::optional<Error> e) {
  std::lock_guard lock(mu_);
  fail_list_functions_ = std::move(e);
}
void FakeLambdaBackend::FailGetResources(std::optional<Error> e) {
  std::lock_guard lock(mu_);
  fail_get_resources_ = std::move(e);
}
void FakeLambdaBackend::FailListTags(std::optional<Error> e) {
  std::lock_guard lock(mu_);
  fail_list_tags_ = std::move(e);
}
void FakeLambdaBackend::FailDescribeSchema(std::optional<Error> e) {
  std::lock_guard lock(mu_);
  fail_describe_schema_ = std::move(e);
}
void FakeLambdaBackend::SetInvokeHandler(InvokeHandler handler) {
  std::lock_guard lock(mu_);
  invoke_handler_ = std::move(handler);
}

Result<std::vector<FunctionInfo>> FakeLambdaBackend::ListFunctions() {
  std::lock_guard lock(mu_);
  list_functions_calls += std::max<int>(1, static_cast<int>((functions_.size() + 49) / 50));
  if (fail_list_functions_) {
    return *fail_list_functions_;
  }
  std::vector<FunctionInfo> out;
  for (const auto& f : functions_) {
    out.push_back(f.info);
  }
  return out;
}

Result<std::vector<TaggedResource>> FakeLambdaBackend::GetTaggedFunctions(const std::string& tag_key,
                                                                          const std::string& tag_value) {
  std::lock_guard lock(mu_);
  if (fail_get_resources_) {
    ++get_resources_calls;
    return *fail_get_resources_;
  }
  std::vector<TaggedResource> out;
  for (const auto& f : functions_) {
    if (f.tags.empty()) {
      continue;
    }
    if (!tag_key.empty()) {
      auto it = f.tags.find(tag_key);
      if (it == f.tags.end()) {
        continue;
      }
      if (!tag_value.empty() && it->second != tag_value) {
        continue;
      }
    }
    out.push_back({f.info.arn, f.tags});
  }
  get_resources_calls += std::max<int>(1, static_cast<int>((out.size() + 99) / 100));
  return out;
}

Result<Tags> FakeLambdaBackend::ListTags(const std::string& function_arn) {
  std::lock_guard lock(mu_);
  ++list_tags_calls;
  if (fail_list_tags_) {
    return *fail_list_tags_;
  }
  for (const auto& f : functions_) {
    if (f.info.arn == function_arn) {
      return f.tags;
    }
  }
  return Error::NotFound("ResourceNotFoundException: Function not found: " + function_arn);
}

Result<SchemaDocument> FakeLambdaBackend::DescribeSchema(const SchemaRequest& request) {
  std::lock_guard lock(mu_);
  ++describe_schema_calls;
  if (fail_describe_schema_) {
    return *fail_describe_schema_;
  }
  auto it = schemas_.find(request.region + "/" + request.registry + "/" + request.name);
  if (it == schemas_.end()) {
    return Error::NotFound("NotFoundException: Schema not found: " + request.name);
  }
  return it->second;
}

Result<InvokeResponse> FakeLambdaBackend::Invoke(InvokeRequest request, std::stop_token stop) {
  InvokeHandler handler;
  {
    std::lock_guard lock(mu_);
    ++invoke_calls;
    invokes_.push_back(request);
    handler = invoke_handler_;
  }
  if (handler) {
    return handler(request, stop);
  }
  return Answer(request, stop);
}

Result<InvokeResponse> FakeLambdaBackend::Answer(const InvokeRequest& request, std::stop_token stop) {
  InvokeHandler handler;
  {
    std::lock_guard lock(mu_);
    handler = invoke_handler_;
  }
  if (handler) {
    return handler(request, stop);
  }
  InvokeResponse r;
  r.payload = request.payload;
  r.executed_version = "$LATEST";
  r.request_id = "fake-request-" + std::to_string(invoke_calls.load());
  return r;
}

struct FakeLambdaBackend::Held {
  InvokeRequest request;
  std::stop_token stop;
  std::optional<Resume<Result<InvokeResponse>>> resume;
  std::optional<std::stop_callback<std::function<void()>>> on_stop;
};

void FakeLambdaBackend::HoldInvokes(bool hold) {
  std::lock_guard lock(mu_);
  hold_ = hold;
}

int FakeLambdaBackend::held() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(held_.size());
}

bool FakeLambdaBackend::WaitHeld(int count) {
  std::unique_lock lock(mu_);
  return held_cv_.wait_for(lock, std::chrono::seconds(20),
                           [&] { return static_cast<int>(held_.size()) >= count; });
}

bool FakeLambdaBackend::WaitAborted(int count) {
  std::unique_lock lock(mu_);
  return held_cv_.wait_for(lock, std::chrono::seconds(20), [&] { return aborted.load() >= count; });
}

Async<Result<InvokeResponse>> FakeLambdaBackend::InvokeAsync(InvokeRequest request, std::stop_token stop) {
  bool hold = false;
  {
    std::lock_guard lock(mu_);
    hold = hold_;
  }
  if (!hold) {
    co_return Invoke(std::move(request), std::move(stop));
  }
  auto held = std::make_shared<Held>();
  held->request = std::move(request);
  held->stop = stop;
  co_return co_await WhenCalledWith<Result<InvokeResponse>>([&](Resume<Result<InvokeResponse>> resume) {
    held->resume = resume;
    {
      std::lock_guard lock(mu_);
      ++invoke_calls;
      invokes_.push_back(held->request);
      held_.push_back(held);
    }
    held_cv_.notify_all();
    held->on_stop.emplace(stop, [this, weak = std::weak_ptr<Held>(held)] {
      std::shared_ptr<Held> h = weak.lock();
      if (!h) {
        return;
      }
      {
        std::lock_guard lock(mu_);
        auto it = std::find(held_.begin(), held_.end(), h);
        if (it == held_.end()) {
          return;  // answered first
        }
        held_.erase(it);
        ++aborted;
      }
      held_cv_.notify_all();
      completions_->Post([h] { (*h->resume)(Error::Cancelled("cancelled: the request was aborted")); });
    });
  });
}

int FakeLambdaBackend::ReleaseHeld() {
  std::list<std::shared_ptr<Held>> held;
  {
    std::lock_guard lock(mu_);
    held.swap(held_);
  }
  for (const auto& h : held) {
    (*h->resume)(Answer(h->request, h->stop));
  }
  return static_cast<int>(held.size());
}

std::vector<InvokeRequest> FakeLambdaBackend::invokes() const {
  std::lock_guard lock(mu_);
  return invokes_;
}

}  // namespace lmcp::catalog

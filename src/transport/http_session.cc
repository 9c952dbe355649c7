#include "transport/http_session.h"

#include <spdlog/spdlog.h>

#include "common/log_text.h"

namespace lmcp::transport {

std::string SseFrame(const Json& message) {
  std::string frame = "event: message\ndata: ";
  frame += jsonrpc::Serialize(message);
  frame += "\n\n";
  return frame;
}

// --- SseChannel ---

void SseChannel::Wake() {
  std::shared_ptr<std::function<void()>> waker;
  {
    std::lock_guard lock(mu_);
    waker = waker_;
  }
  cv_.notify_all();
  if (waker && *waker) {
    (*waker)();
  }
}

void SseChannel::SetWaker(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  waker_ = wake ? std::make_shared<std::function<void()>>(std::move(wake)) : nullptr;
}

void SseChannel::Push(std::string frame) {
  {
    std::lock_guard lock(mu_);
    if (abandoned_ || closed_) {
      return;
    }
    frames_.push_back(std::move(frame));
  }
  Wake();
}

void SseChannel::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  Wake();
}

void SseChannel::Abandon() {
  {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    frames_.clear();
  }
  Wake();
}

bool SseChannel::abandoned() const {
  std::lock_guard lock(mu_);
  return abandoned_;
}

SseChannel::Next SseChannel::Pop(std::string* frame, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [&] { return !frames_.empty() || closed_ || abandoned_; });
  if (abandoned_) {
    return Next::kClosed;
  }
  if (!frames_.empty()) {
    *frame = std::move(frames_.front());
    frames_.pop_front();
    return Next::kFrame;
  }
  return closed_ ? Next::kClosed : Next::kIdle;
}

// --- Exchange ---

Exchange::Exchange(std::vector<std::string> request_keys) : open_(request_keys.begin(), request_keys.end()) {}

void Exchange::Deliver(const Json& message, const std::string& key) {
  bool is_response = jsonrpc::IsResponse(message);
  std::lock_guard lock(mu_);
  if (!decided_) {
    buffered_.push_back(message);
  } else if (channel_) {
    channel_->Push(SseFrame(message));
  }
  // A response ends its request even if the core's RequestEnded comes later (End is idempotent).
  if (is_response && IdKey(message["id"]) == key) {
    open_.erase(key);
    if (decided_ && channel_ && open_.empty()) {
      channel_->Close();
    }
  }
}

void Exchange::End(const std::string& key) {
  std::lock_guard lock(mu_);
  open_.erase(key);
  if (decided_ && channel_ && open_.empty()) {
    channel_->Close();
  }
}

bool Exchange::all_ended() const {
  std::lock_guard lock(mu_);
  return open_.empty();
}

Exchange::Decision Exchange::Decide() {
  std::lock_guard lock(mu_);
  Decision d;
  decided_ = true;
  bool only_responses = true;
  for (const auto& m : buffered_) {
    if (!jsonrpc::IsResponse(m)) {
      only_responses = false;
    }
  }
  if (open_.empty() && only_responses && !buffered_.empty()) {
    d.json = true;
    d.messages = std::move(buffered_);
    buffered_.clear();
    return d;
  }
  channel_ = std::make_shared<SseChannel>();
  for (const auto& m : buffered_) {
    channel_->Push(SseFrame(m));
  }
  buffered_.clear();
  if (open_.empty()) {
    channel_->Close();
  }
  d.channel = channel_;
  return d;
}

void Exchange::Abandon() {
  std::lock_guard lock(mu_);
  if (channel_) {
    channel_->Abandon();
  }
  decided_ = true;
  buffered_.clear();
}

// --- HttpSession ---

HttpSession::HttpSession(std::string id, std::string principal, Clock& clock)
    : id_(std::move(id)), principal_(std::move(principal)), clock_(clock), last_active_(clock.Steady()) {}

HttpSession::~HttpSession() {
  // The MCP session may still hold work that sends through us; stop it before our members go.
  if (session_) {
    session_->Shutdown(std::chrono::milliseconds(0));
  }
  session_.reset();
}

void HttpSession::Attach(std::unique_ptr<mcp::Session> session) { session_ = std::move(session); }

bool HttpSession::Register(const std::vector<std::string>& keys, const std::shared_ptr<Exchange>& exchange) {
  std::lock_guard lock(mu_);
  for (const auto& k : keys) {
    if (routes_.count(k)) {
      return false;
    }
  }
  for (const auto& k : keys) {
    routes_[k] = exchange;
  }
  return true;
}

void HttpSession::Unregister(const std::vector<std::string>& keys, const Exchange* exchange) {
  std::lock_guard lock(mu_);
  for (const auto& k : keys) {
    auto it = routes_.find(k);
    if (it != routes_.end() && it->second.get() == exchange) {
      routes_.erase(it);
    }
  }
  last_active_ = clock_.Steady();
}

void HttpSession::OpenGetStream(const std::shared_ptr<SseChannel>& channel) {
  std::lock_guard lock(mu_);
  if (get_stream_) {
    get_stream_->Close();
  }
  get_stream_ = channel;
  while (!unsolicited_.empty()) {
    channel->Push(std::move(unsolicited_.front()));
    unsolicited_.pop_front();
  }
  last_active_ = clock_.Steady();
}

void HttpSession::CloseGetStream(const SseChannel* channel) {
  std::lock_guard lock(mu_);
  if (get_stream_.get() == channel) {
    get_stream_.reset();
  }
  last_active_ = clock_.Steady();
}

void HttpSession::Touch() {
  confirmed_ = true;
  std::lock_guard lock(mu_);
  last_active_ = clock_.Steady();
}

bool HttpSession::Busy() const {
  std::lock_guard lock(mu_);
  return !routes_.empty() || (get_stream_ && !get_stream_->abandoned());
}

Clock::SteadyTime HttpSession::LastActive() const {
  if (Busy()) {
    return clock_.Steady();
  }
  std::lock_guard lock(mu_);
  return last_active_;
}

void HttpSession::Close(std::chrono::milliseconds grace) {
  std::lock_guard close_lock(close_mu_);
  if (closed_.exchange(true)) {
    return;
  }
  if (session_) {
    session_->Shutdown(grace);
  }
  std::unordered_map<std::string, std::shared_ptr<Exchange>> routes;
  std::shared_ptr<SseChannel> get_stream;
  {
    std::lock_guard lock(mu_);
    routes.swap(routes_);
    get_stream.swap(get_stream_);
    unsolicited_.clear();
  }
  for (auto& [key, exchange] : routes) {
    exchange->End(key);
  }
  if (get_stream) {
    get_stream->Close();
  }
}

void HttpSession::Send(const Json& message, const Json& related) {
  if (!related.is_null()) {
    std::string key = IdKey(related);
    std::shared_ptr<Exchange> exchange;
    {
      std::lock_guard lock(mu_);
      auto it = routes_.find(key);
      if (it != routes_.end()) {
        exchange = it->second;
      }
    }
    if (exchange) {
      exchange->Deliver(message, key);
      if (jsonrpc::IsResponse(message) && IdKey(message["id"]) == key) {
        std::lock_guard lock(mu_);
        auto it = routes_.find(key);
        if (it != routes_.end() && it->second == exchange) {
          routes_.erase(it);
        }
        last_active_ = clock_.Steady();
      }
    } else {
      spdlog::debug("http: session {}: dropping message for request {} whose stream is gone",
                    ForLog(id_.substr(0, 8)), ForLog(key));
    }
    return;
  }
  std::lock_guard lock(mu_);
  if (get_stream_ && !get_stream_->abandoned()) {
    get_stream_->Push(SseFrame(message));
  } else if (unsolicited_.size() < kMaxQueuedUnsolicited) {
    unsolicited_.push_back(SseFrame(message));
  }
}

void HttpSession::RequestEnded(const Json& id) {
  std::string key = IdKey(id);
  std::shared_ptr<Exchange> exchange;
  {
    std::lock_guard lock(mu_);
    auto it = routes_.find(key);
    if (it == routes_.end()) {
      return;
    }
    exchange = it->second;
    routes_.erase(it);
    last_active_ = clock_.Steady();
  }
  exchange->End(key);
}

}  // namespace lmcp::transport

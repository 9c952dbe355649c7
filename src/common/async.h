#pragma once
// Asynchronous work without a thread per wait: a small C++20 coroutine type and the bridges around it.
//
//   Async<T>        a lazy coroutine producing a T (our code uses Result<T>: errors are values). It starts
//                   when awaited, has exactly one awaiter, and resumes that awaiter by symmetric transfer
//                   when it ends, so a chain of awaits neither grows the stack nor needs a scheduler.
//   WhenCalled<T>   suspends until a one-shot callback (Resume<T>) is called, from any thread, even before
//                   the starter function that received it has returned: the bridge to callback APIs
//                   (HttpClient::SendAsync, a semaphore's waiter queue).
//   Start(a, done)  runs an Async detached from plain code; `done` gets its value on whichever thread ends
//   it. BlockOn(a)      runs an Async and waits for it on this thread: tests and synchronous callers.
//
// Exceptions: our code does not throw across layers, but an exception escaping a coroutine body is not lost:
// it is kept and rethrown to the awaiter (co_await, BlockOn), exactly as a synchronous call would propagate
// it, so the layers' one exception conversion each (the session's, the task runner's) still applies. One
// escaping a Start()ed Async, or its `done`, has nowhere to go and calls std::terminate.
//
// Where code runs: after a suspension the coroutine continues on the thread that called Resume (an I/O
// thread, the thread releasing a semaphore). Whoever calls a Resume must therefore hold no lock that the
// rest of the coroutine may take; code that completes waiters from a std::stop_callback posts the Resume to
// an Executor instead of calling it inside request_stop().
//
// Free of any event loop: the MCP core may use it.

#include <algorithm>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <coroutine>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace lmcp {

template <class T>
class Async;

namespace async_detail {

struct PromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();
  std::exception_ptr exception;

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> done) const noexcept {
      return done.promise().continuation;  // symmetric transfer to the one awaiter
    }
    void await_resume() const noexcept {}
  };
  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { exception = std::current_exception(); }
};

}  // namespace async_detail

template <class T>
class [[nodiscard]] Async {
  static_assert(!std::is_void_v<T> && !std::is_reference_v<T>, "Async<T> carries a value (Status for none)");

 public:
  struct promise_type : async_detail::PromiseBase {
    std::optional<T> value;
    Async get_return_object() { return Async(std::coroutine_handle<promise_type>::from_promise(*this)); }
    template <class U>
    void return_value(U&& v) {
      value.emplace(std::forward<U>(v));
    }
  };

  Async(Async&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  Async& operator=(Async&& other) noexcept {
    if (this != &other) {
      Reset();
      h_ = std::exchange(other.h_, nullptr);
    }
    return *this;
  }
  Async(const Async&) = delete;
  Async& operator=(const Async&) = delete;
  ~Async() { Reset(); }

  // Awaiting starts the coroutine; the awaiter resumes when it has ended.
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    assert(h_ && !h_.done());
    h_.promise().continuation = awaiting;
    return h_;
  }
  T await_resume() {
    promise_type& p = h_.promise();
    if (p.exception) {
      std::rethrow_exception(p.exception);
    }
    assert(p.value.has_value());
    return std::move(*p.value);
  }

 private:
  explicit Async(std::coroutine_handle<promise_type> h) : h_(h) {}
  void Reset() {
    if (h_) {
      h_.destroy();  // never started, or ended (suspended at its final point)
      h_ = nullptr;
    }
  }
  std::coroutine_handle<promise_type> h_;
};

// A coroutine's one-shot wake-up: call it exactly once, from any thread, with the awaited value. Copies
// share the one shot. A Resume that is never called leaves its coroutine suspended forever (a leak).
template <class T>
class Resume {
 public:
  void operator()(T value) const {
    assert(state_ != nullptr);
    state_->value.emplace(std::move(value));
    // Whoever comes second resumes: the awaiter once it has suspended, or nobody when the value came
    // before the starter returned (then await_suspend does not suspend at all).
    if (state_->arrived.exchange(true, std::memory_order_acq_rel)) {
      state_->awaiting.resume();
    }
  }

 private:
  template <class U, class Starter>
  friend class WhenCalled;
  struct State {
    std::atomic<bool> arrived{false};
    std::optional<T> value;
    std::coroutine_handle<> awaiting;
  };
  explicit Resume(State* state) : state_(state) {}
  State* state_;
};

// `co_await WhenCalled<T>(starter)`: calls starter(Resume<T>) and suspends until the Resume is called
// (possibly already inside starter, or on another thread while starter is still running).
template <class T, class Starter>
class [[nodiscard]] WhenCalled {
 public:
  explicit WhenCalled(Starter starter) : starter_(std::move(starter)) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiting) {
    state_.awaiting = awaiting;
    starter_(Resume<T>(&state_));
    // false: the value is here already, go on without suspending. true: the Resume, when it comes, resumes
    // us; `this` may be gone by then, so nothing touches it after the exchange.
    return !state_.arrived.exchange(true, std::memory_order_acq_rel);
  }
  T await_resume() { return std::move(*state_.value); }

 private:
  Starter starter_;
  typename Resume<T>::State state_;
};

template <class T, class Starter>
WhenCalled<T, Starter> WhenCalledWith(Starter starter) {
  return WhenCalled<T, Starter>(std::move(starter));
}

namespace async_detail {

// A coroutine that starts at once and frees itself when it ends.
struct Detached {
  struct promise_type {
    Detached get_return_object() const noexcept { return {}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    [[noreturn]] void unhandled_exception() const noexcept { std::terminate(); }
  };
};

template <class T, class Done>
Detached RunDetached(Async<T> task, Done done) {
  done(co_await std::move(task));
}

template <class T>
struct Blocking {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  std::optional<T> value;
  std::exception_ptr exception;
};

template <class T>
Detached RunBlocking(Async<T> task, Blocking<T>& b) {
  std::optional<T> value;
  std::exception_ptr exception;
  try {
    value.emplace(co_await std::move(task));
  } catch (...) {
    exception = std::current_exception();
  }
  std::lock_guard lock(b.mu);
  b.value = std::move(value);
  b.exception = exception;
  b.finished = true;
  b.cv.notify_one();  // under the lock: BlockOn returns, and `b` is gone, once it sees `finished`
}

}  // namespace async_detail

// Runs `task` now, on this thread until its first suspension; `done` gets the value wherever it ends.
template <class T, class Done>
void Start(Async<T> task, Done done) {
  async_detail::RunDetached(std::move(task), std::move(done));
}

// Runs `task` and waits on this thread for its value (rethrows what escaped it).
template <class T>
T BlockOn(Async<T> task) {
  async_detail::Blocking<T> b;
  async_detail::RunBlocking(std::move(task), b);
  std::unique_lock lock(b.mu);
  b.cv.wait(lock, [&] { return b.finished; });
  if (b.exception) {
    std::rethrow_exception(b.exception);
  }
  return std::move(*b.value);
}

// An already computed value as an Async (a default that wraps a synchronous call).
template <class T>
Async<T> Ready(T value) {
  co_return std::move(value);
}

// Where work posted from places that must not run it inline (a std::stop_callback, a timer) runs.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual void Post(std::function<void()> work) = 0;
};

// A fixed number of threads taking posted work in order. The destructor runs what is queued, then joins.
class ThreadExecutor final : public Executor {
 public:
  explicit ThreadExecutor(int threads = 1) {
    for (int i = 0; i < std::max(threads, 1); ++i) {
      threads_.emplace_back([this] { Loop(); });
    }
  }
  ~ThreadExecutor() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
      t.join();
    }
  }
  ThreadExecutor(const ThreadExecutor&) = delete;
  ThreadExecutor& operator=(const ThreadExecutor&) = delete;

  void Post(std::function<void()> work) override {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(work));
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, and nothing left
      }
      std::function<void()> work = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      work();
      work = nullptr;
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lmcp

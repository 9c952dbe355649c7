#pragma once
// Errors as values across layers. Result<T> holds a T or an Error; Result<void> holds nothing or an Error.
// Exceptions are converted to Error in one place per layer; no exception crosses a layer boundary.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace lmcp {

// What went wrong, coarse enough for callers to branch on. AWS- or protocol-specific detail goes in the
// message and, where callers need it, in the layer's own richer error type.
enum class ErrorCode {
  kInvalidArgument,  // bad input from a client or config
  kNotFound,         // named thing does not exist (unknown tool, profile, function)
  kAlreadyExists,
  kPermissionDenied,    // authenticated but not allowed (AccessDenied)
  kUnauthenticated,     // no or bad credentials
  kResourceExhausted,   // throttled, too large, limits
  kFailedPrecondition,  // state does not allow it (not initialized, not ready)
  kUnavailable,         // transient: network, 5xx, endpoint down
  kTimeout,             // deadline passed; for Invoke the call may have run
  kCancelled,
  kInternal,  // a bug or an impossible state
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Error InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error PermissionDenied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
  static Error Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
  static Error ResourceExhausted(std::string m) { return {ErrorCode::kResourceExhausted, std::move(m)}; }
  static Error FailedPrecondition(std::string m) { return {ErrorCode::kFailedPrecondition, std::move(m)}; }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error Timeout(std::string m) { return {ErrorCode::kTimeout, std::move(m)}; }
  static Error Cancelled(std::string m) { return {ErrorCode::kCancelled, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  // "NotFound: profile 'x' not found"
  std::string ToString() const;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // The value, or `fallback` converted to T on an error.
  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;
inline Status Ok() { return {}; }

}  // namespace lmcp

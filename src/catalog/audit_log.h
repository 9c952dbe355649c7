#pragma once
// The per-call audit trail: one JSON object per line, written whole under a lock (stderr, a file, or memory
// for tests). Records never hold argument values, only their size and `arguments_hmac`: HMAC-SHA256 of the
// arguments under a per-deployment key, so equal arguments can be matched across records and runs without a
// plain hash that a guess of low-entropy arguments could be checked against. Thread-safe.

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmcp::catalog {

constexpr size_t kAuditKeyBytes = 32;

class AuditSink {
 public:
  // `key`: the HMAC key for ArgumentsHmac; empty = a random key for this sink's lifetime only.
  explicit AuditSink(std::string key = {});
  virtual ~AuditSink() = default;
  virtual void Write(const std::string& json_line) = 0;  // without the trailing newline
  // HMAC-SHA256 of `data` under the audit key, lower-case hex.
  std::string ArgumentsHmac(std::string_view data) const;

 private:
  std::string key_;
};

// Writes to a FILE* it may own (closed on destruction).
class FileAuditSink : public AuditSink {
 public:
  FileAuditSink(std::FILE* f, bool owned, std::string key = {})
      : AuditSink(std::move(key)), f_(f), owned_(owned) {}
  ~FileAuditSink() override;
  void Write(const std::string& json_line) override;

 private:
  std::mutex mu_;
  std::FILE* f_;
  bool owned_;
};

class MemoryAuditSink : public AuditSink {
 public:
  explicit MemoryAuditSink(std::string key = {}) : AuditSink(std::move(key)) {}
  void Write(const std::string& json_line) override;
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// "stderr" → stderr, "off" → nullptr (no audit), anything else → that file, appended.
Result<std::unique_ptr<AuditSink>> MakeAuditSink(const std::string& spec, std::string key = {});

// Where the audit key lives when LAMBDA_MCP_AUDIT_KEY_FILE is not set: $XDG_STATE_HOME/lambda-mcp/audit.key,
// else $HOME/.local/state/lambda-mcp/audit.key; "" when neither variable is set (null or empty).
std::string DefaultAuditKeyPath(const char* xdg_state_home, const char* home);

// The audit key from `path`: a file holding 32 bytes as 64 hex digits (a trailing newline is fine), not
// readable or writable by group or others. With `create`, a missing file (and its directory, mode 0700) is
// made with a new key from the OS CSPRNG, mode 0600 (kUnavailable when that fails). kInvalidArgument naming
// the file and the fix for a file that is unreadable, open to group or others, or not 64 hex digits.
Result<std::string> LoadAuditKey(const std::string& path, bool create);

}  // namespace lmcp::catalog

#pragma once
// The per-call audit trail: one JSON object per line, written whole under a lock (stderr, a file, or memory
// for tests). Records never hold argument values, only their size and SHA-256. Thread-safe.

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmcp::catalog {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void Write(const std::string& json_line) = 0;  // without the trailing newline
};

// Writes to a FILE* it may own (closed on destruction).
class FileAuditSink : public AuditSink {
 public:
  FileAuditSink(std::FILE* f, bool owned) : f_(f), owned_(owned) {}
  ~FileAuditSink() override;
  void Write(const std::string& json_line) override;

 private:
  std::mutex mu_;
  std::FILE* f_;
  bool owned_;
};

class MemoryAuditSink : public AuditSink {
 public:
  void Write(const std::string& json_line) override;
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// "stderr" → stderr, "off" → nullptr (no audit), anything else → that file, appended.
Result<std::unique_ptr<AuditSink>> MakeAuditSink(const std::string& spec);

std::string Sha256Hex(std::string_view data);

}  // namespace lmcp::catalog

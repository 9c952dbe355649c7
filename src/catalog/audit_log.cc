#include "catalog/audit_log.h"

#include <cerrno>
#include <cstring>

#include <openssl/evp.h>

namespace lmcp::catalog {

FileAuditSink::~FileAuditSink() {
  if (owned_ && f_) std::fclose(f_);
}

void FileAuditSink::Write(const std::string& json_line) {
  std::lock_guard lock(mu_);
  std::fwrite(json_line.data(), 1, json_line.size(), f_);
  std::fputc('\n', f_);
  std::fflush(f_);
}

void MemoryAuditSink::Write(const std::string& json_line) {
  std::lock_guard lock(mu_);
  lines_.push_back(json_line);
}

std::vector<std::string> MemoryAuditSink::lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

Result<std::unique_ptr<AuditSink>> MakeAuditSink(const std::string& spec) {
  if (spec == "off") return std::unique_ptr<AuditSink>();
  if (spec.empty() || spec == "stderr") return std::unique_ptr<AuditSink>(new FileAuditSink(stderr, false));
  std::FILE* f = std::fopen(spec.c_str(), "a");
  if (!f) {
    return Error::InvalidArgument("LAMBDA_MCP_AUDIT_LOG: cannot open " + spec + ": " + std::strerror(errno));
  }
  return std::unique_ptr<AuditSink>(new FileAuditSink(f, true));
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace lmcp::catalog

#include "catalog/audit_log.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/crypto.h"
#include "common/log_text.h"

namespace lmcp::catalog {
namespace {

std::string RandomKey() {
  std::string key(kAuditKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    std::abort();  // no CSPRNG: nothing sensible to run on
  }
  return key;
}

std::string KeyFileHelp(const std::string& path) {
  return " (make one with `openssl rand -hex 32 > " + path + " && chmod 600 " + path + "`)";
}

Status MakeDirectories(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    std::string part = dir.substr(0, slash);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return Error::Unavailable("audit key: cannot create " + ForLog(part) + ": " + std::strerror(errno));
    }
    if (slash == std::string::npos) {
      return Ok();
    }
  }
}

// Creates `path` with a new key; false (and no error) when another process created it first.
Result<bool> CreateKeyFile(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (Status made = MakeDirectories(path.substr(0, slash)); !made.ok()) {
      return made.error();
    }
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return false;
    }
    return Error::Unavailable("audit key: cannot create " + ForLog(path) + ": " + std::strerror(errno));
  }
  std::string text = HexEncode(RandomKey()) + "\n";
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return Error::Unavailable("audit key: cannot write " + ForLog(path));
  }
  return true;
}

}  // namespace

AuditSink::AuditSink(std::string key) : key_(key.empty() ? RandomKey() : std::move(key)) {}

std::string AuditSink::ArgumentsHmac(std::string_view data) const {
  return HexEncode(HmacSha256(key_, data));
}

FileAuditSink::~FileAuditSink() {
  if (owned_ && f_) {
    std::fclose(f_);
  }
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

Result<std::unique_ptr<AuditSink>> MakeAuditSink(const std::string& spec, std::string key) {
  if (spec == "off") {
    return std::unique_ptr<AuditSink>();
  }
  if (spec.empty() || spec == "stderr") {
    return std::unique_ptr<AuditSink>(new FileAuditSink(stderr, false, std::move(key)));
  }
  std::FILE* f = std::fopen(spec.c_str(), "a");
  if (!f) {
    return Error::InvalidArgument("LAMBDA_MCP_AUDIT_LOG: cannot open " + ForLog(spec) + ": " +
                                  std::strerror(errno));
  }
  return std::unique_ptr<AuditSink>(new FileAuditSink(f, true, std::move(key)));
}

std::string DefaultAuditKeyPath(const char* xdg_state_home, const char* home) {
  if (xdg_state_home && *xdg_state_home) {
    return std::string(xdg_state_home) + "/lambda-mcp/audit.key";
  }
  if (home && *home) {
    return std::string(home) + "/.local/state/lambda-mcp/audit.key";
  }
  return "";
}

Result<std::string> LoadAuditKey(const std::string& path, bool create) {
  const std::string shown = ForLog(path);
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    auto created = CreateKeyFile(path);
    if (!created.ok()) {
      return created.error();
    }
    fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) {
    return Error::InvalidArgument("audit key: cannot read " + shown + ": " + std::strerror(errno));
  }
  struct stat st {};
  char buf[256];
  ssize_t n = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0) {
    n = read(fd, buf, sizeof buf);
  }
  close(fd);
  if (!S_ISREG(st.st_mode)) {
    return Error::InvalidArgument("audit key: " + shown + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error::InvalidArgument("audit key: " + shown + " is accessible to group or others (mode " + mode +
                                  "); run `chmod 600 " + shown + "`");
  }
  if (n < 0) {
    return Error::InvalidArgument("audit key: cannot read " + shown + ": " + std::strerror(errno));
  }
  std::string_view text(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  auto key = HexDecode(text);
  if (text.size() != 2 * kAuditKeyBytes || !key.ok()) {
    return Error::InvalidArgument("audit key: " + shown + " must hold 32 bytes as 64 hex digits" +
                                  KeyFileHelp(shown));
  }
  return *key;
}

}  // namespace lmcp::catalog

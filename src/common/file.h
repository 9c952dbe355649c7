#pragma once
// Whole-file reading, and writing all of a buffer to a descriptor.

#include <string>
#include <string_view>

#include "common/result.h"

namespace lmcp {

// The file's bytes, unchanged (binary). kNotFound "cannot read <path>: <reason>" when it cannot be opened or
// read. The path is echoed as given: callers pass ForLog() text where it came from outside.
Result<std::string> ReadWholeFile(const std::string& path);

// Writes all of `data` to `fd` (a socket or a pipe), retrying short writes and EINTR; false on any other
// error. Never raises SIGPIPE on a socket (MSG_NOSIGNAL); a pipe's reader going away needs SIGPIPE ignored.
bool WriteAll(int fd, std::string_view data);

}  // namespace lmcp

#include "transport/stdio_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

#include "jsonrpc/message.h"

namespace lmcp::transport {

StdioTransport::StdioTransport(int in_fd, int out_fd, StdioOptions options)
    : in_fd_(in_fd), out_fd_(out_fd), options_(options) {
  if (pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    spdlog::error("stdio: cannot create the stop pipe: {}", std::strerror(errno));
    stop_pipe_[0] = stop_pipe_[1] = -1;
  }
}

StdioTransport::~StdioTransport() {
  for (int fd : stop_pipe_) {
    if (fd >= 0) {
      close(fd);
    }
  }
}

void StdioTransport::Stop() {
  if (stop_pipe_[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t n = write(stop_pipe_[1], &byte, 1);
  }
}

namespace {

constexpr size_t kRetainedLineCapacity = 64 * 1024;

// Splits the input into lines of at most `max_line_bytes`: each complete line goes to `deliver`; a longer
// one is skipped to its end without being buffered and reported to `too_long` with its size.
class LineSplitter {
 public:
  LineSplitter(size_t max_line_bytes, std::function<void(std::string_view)> deliver,
               std::function<void(size_t)> too_long)
      : max_line_bytes_(max_line_bytes), deliver_(std::move(deliver)), too_long_(std::move(too_long)) {}

  void Feed(std::string_view chunk) {
    while (!chunk.empty()) {
      size_t newline = chunk.find('\n');
      Append(chunk.substr(0, newline));
      if (newline == std::string_view::npos) {
        return;
      }
      EndLine();
      chunk.remove_prefix(newline + 1);
    }
  }

  // End of input: a last line without its newline still counts.
  void Finish() {
    if (discarding_) {
      too_long_(discarded_);
    } else if (!line_.empty()) {
      deliver_(line_);
    }
  }

 private:
  void Append(std::string_view piece) {
    if (discarding_) {
      discarded_ += piece.size();
    } else if (line_.size() + piece.size() > max_line_bytes_) {
      discarding_ = true;
      discarded_ = line_.size() + piece.size();
      line_.clear();
      line_.shrink_to_fit();
    } else {
      line_.append(piece);
    }
  }

  void EndLine() {
    if (discarding_) {
      too_long_(discarded_);
      discarding_ = false;
      discarded_ = 0;
      return;
    }
    deliver_(line_);
    line_.clear();
    // A large message leaves a large buffer behind (mmapped, touched): give it back rather than keep
    // megabytes for the life of the process.
    if (line_.capacity() > kRetainedLineCapacity) {
      std::string().swap(line_);
    }
  }

  const size_t max_line_bytes_;
  std::function<void(std::string_view)> deliver_;
  std::function<void(size_t)> too_long_;
  std::string line_;         // the current, incomplete line
  bool discarding_ = false;  // the current line is over the limit: skip to its end
  size_t discarded_ = 0;
};

}  // namespace

bool StdioTransport::Run(mcp::Session& session) {
  auto too_long = [&](size_t bytes) {
    spdlog::warn("stdio: dropped a message of {} bytes (limit {})", bytes, options_.max_line_bytes);
    Send(jsonrpc::MakeError(nullptr, jsonrpc::RpcError::MessageTooLarge(bytes, options_.max_line_bytes)),
         nullptr);
  };
  auto deliver = [&](std::string_view text) {
    if (!text.empty() && text.back() == '\r') {
      text.remove_suffix(1);
    }
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) {
      return;  // blank line
    }
    session.HandleRaw(text);
  };
  LineSplitter lines(options_.max_line_bytes, deliver, too_long);
  std::vector<char> buffer(options_.read_chunk_bytes);
  for (;;) {
    pollfd fds[2] = {{in_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    int ready = poll(fds, stop_pipe_[0] >= 0 ? 2 : 1, -1);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      spdlog::error("stdio: poll failed: {}", std::strerror(errno));
      return false;
    }
    if (stop_pipe_[0] >= 0 && (fds[1].revents & POLLIN)) {
      return false;
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      continue;
    }
    ssize_t n = read(in_fd_, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      spdlog::error("stdio: read failed: {}", std::strerror(errno));
      return false;
    }
    if (n == 0) {
      lines.Finish();
      // End of input alone leaves the responses deliverable (a client may close stdin and keep reading);
      // with stdout gone too, nothing queued is worth starting.
      if (OutputGone()) {
        spdlog::info("stdio: end of input and stdout is closed; pending calls are not delivered");
        session.ClientGoneAll();
      }
      return true;
    }
    lines.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
}

void StdioTransport::Send(const mcp::Json& message, const mcp::Json& /*related*/) {
  std::string data = jsonrpc::Serialize(message);
  data.push_back('\n');
  std::lock_guard lock(write_mu_);
  if (output_broken_) {
    return;
  }
  if (!WriteAll(data)) {
    output_broken_ = true;
    spdlog::warn("stdio: stdout is closed; dropping further messages");
  }
}

bool StdioTransport::OutputGone() {
  std::lock_guard lock(write_mu_);
  if (output_broken_) {
    return true;
  }
  pollfd pfd{out_fd_, 0, 0};  // a pipe whose reader closed reports POLLERR even with no events asked
  return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
}

bool StdioTransport::WriteAll(const std::string& data) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = write(out_fd_, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN) {
        pollfd pfd{out_fd_, POLLOUT, 0};
        poll(&pfd, 1, 1000);
        continue;
      }
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace lmcp::transport

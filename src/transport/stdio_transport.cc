#include "transport/stdio_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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
}  // namespace

bool StdioTransport::Run(mcp::Session& session) {
  std::string line;         // the current, incomplete line
  bool discarding = false;  // the current line is over the limit: skip to its end
  size_t discarded = 0;
  std::vector<char> buffer(options_.read_chunk_bytes);
  auto line_too_long = [&](size_t bytes) {
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
      if (discarding) {
        line_too_long(discarded);
      } else if (!line.empty()) {
        deliver(line);  // a last line without its newline
      }
      // End of input alone leaves the responses deliverable (a client may close stdin and keep reading);
      // with stdout gone too, nothing queued is worth starting.
      if (OutputGone()) {
        spdlog::info("stdio: end of input and stdout is closed; pending calls are not delivered");
        session.ClientGoneAll();
      }
      return true;
    }
    std::string_view chunk(buffer.data(), static_cast<size_t>(n));
    while (!chunk.empty()) {
      size_t newline = chunk.find('\n');
      std::string_view piece = chunk.substr(0, newline);
      if (discarding) {
        discarded += piece.size();
      } else if (line.size() + piece.size() > options_.max_line_bytes) {
        discarding = true;
        discarded = line.size() + piece.size();
        line.clear();
        line.shrink_to_fit();
      } else {
        line.append(piece);
      }
      if (newline == std::string_view::npos) {
        break;
      }
      if (discarding) {
        line_too_long(discarded);
        discarding = false;
        discarded = 0;
      } else {
        deliver(line);
        line.clear();
        // A large message leaves a large buffer behind (mmapped, touched): give it back rather than keep
        // megabytes for the life of the process.
        if (line.capacity() > kRetainedLineCapacity) std::string().swap(line);
      }
      chunk.remove_prefix(newline + 1);
    }
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

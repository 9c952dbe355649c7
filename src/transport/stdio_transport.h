#pragma once
// The stdio transport: newline-delimited JSON-RPC over a pair of file descriptors (stdin/stdout in
// production, pipes in tests). One reader thread (Run) feeds whole lines to a Session; Send may be called
// from any thread and writes each message as one line under a mutex. Lines longer than the limit are
// skipped without being buffered and answered with -32600, and the transport keeps serving.

#include <cstddef>
#include <mutex>
#include <string>

#include "mcp/session.h"

namespace lmcp::transport {

struct StdioOptions {
  size_t max_line_bytes = 8 * 1024 * 1024;  // longer lines are discarded and answered with an error
  size_t read_chunk_bytes = 64 * 1024;
};

class StdioTransport final : public mcp::MessageSink {
 public:
  StdioTransport(int in_fd, int out_fd, StdioOptions options = {});
  ~StdioTransport() override;
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;

  // Reads lines until end of input or Stop(); each complete line goes to session.HandleRaw. Returns true
  // on end of input, false when stopped or when reading failed. At end of input with the output closed as
  // well, calls session.ClientGoneAll() (queued calls are then not invoked); the caller then calls
  // session.Shutdown(grace), which answers whatever is still pending.
  bool Run(mcp::Session& session);
  // Makes Run return soon. Async-signal-safe (one write to a pipe), callable from any thread.
  void Stop();

  // MessageSink: one compact JSON line per message. After the output breaks (EPIPE) messages are dropped.
  void Send(const mcp::Json& message, const mcp::Json& related) override;

 private:
  bool WriteAll(const std::string& data);
  // The output broke (EPIPE) or its reader has closed it.
  bool OutputGone();

  int in_fd_;
  int out_fd_;
  StdioOptions options_;
  int stop_pipe_[2] = {-1, -1};
  std::mutex write_mu_;
  bool output_broken_ = false;  // guarded by write_mu_
};

}  // namespace lmcp::transport

#include "transport/stdio_transport.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lmcp::transport {
namespace {

using mcp::Json;

// Records the raw lines the transport delivers.
class RecordingSession final : public mcp::Session {
 public:
  void HandleRaw(std::string_view text) override { lines.emplace_back(text); }
  void HandleMessage(Json message) override { lines.push_back(message.dump()); }
  std::string protocol_version() const override { return ""; }
  bool initialized() const override { return false; }
  Status Resume(const mcp::SessionTicket&) override { return Ok(); }
  void ClientGone(const Json& id) override { gone.push_back(id); }
  void ClientGoneAll() override { gone_all = true; }
  void Cancel(const Json& id) override { (void)id; }
  void Shutdown(std::chrono::milliseconds) override {}
  std::vector<std::string> lines;
  std::vector<Json> gone;
  bool gone_all = false;
};

class Pipe {
 public:
  Pipe() { EXPECT_EQ(pipe(fds_), 0); }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  void Write(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = write(fds_[1], data.data() + done, data.size() - done);
      ASSERT_GT(n, 0);
      done += static_cast<size_t>(n);
    }
  }
  void CloseWrite() {
    if (fds_[1] >= 0) {
      close(fds_[1]);
      fds_[1] = -1;
    }
  }
  void CloseRead() {
    if (fds_[0] >= 0) {
      close(fds_[0]);
      fds_[0] = -1;
    }
  }
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds_[0], buf, sizeof buf)) > 0) {
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fds_[2] = {-1, -1};
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST(StdioTransportTest, DeliversWholeLinesAcrossReadsAndReturnsTrueOnEof) {
  Pipe in, out;
  StdioTransport transport(in.read_fd(), out.write_fd(), {.max_line_bytes = 1024, .read_chunk_bytes = 3});
  RecordingSession session;
  std::thread writer([&] {
    in.Write("{\"a\":1}\n{\"b\"");
    in.Write(":2}\r\n\n   \n{\"c\":3}");  // CRLF, blank lines, and a last line without newline
    in.CloseWrite();
  });
  EXPECT_TRUE(transport.Run(session));
  writer.join();
  EXPECT_EQ(session.lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
}

TEST(StdioTransportTest, OversizedLineIsAnsweredAndSkippedAndServingContinues) {
  Pipe in, out;
  StdioTransport transport(in.read_fd(), out.write_fd(), {.max_line_bytes = 100, .read_chunk_bytes = 16});
  RecordingSession session;
  std::thread writer([&] {
    in.Write("{\"before\":1}\n" + std::string(5000, 'x') + "\n{\"after\":2}\n");
    in.CloseWrite();
  });
  EXPECT_TRUE(transport.Run(session));
  writer.join();
  EXPECT_EQ(session.lines, (std::vector<std::string>{"{\"before\":1}", "{\"after\":2}"}));
  out.CloseWrite();
  auto lines = Lines(out.ReadAll());
  ASSERT_EQ(lines.size(), 1u);
  Json error = Json::parse(lines[0]);
  EXPECT_EQ(error["error"]["code"], -32600);
  EXPECT_TRUE(error["id"].is_null());
  EXPECT_NE(error["error"]["message"].get<std::string>().find("5000 bytes"), std::string::npos);
}

TEST(StdioTransportTest, StopEndsRun) {
  Pipe in, out;
  StdioTransport transport(in.read_fd(), out.write_fd());
  RecordingSession session;
  std::thread stopper([&] { transport.Stop(); });
  EXPECT_FALSE(transport.Run(session));
  stopper.join();
}

TEST(StdioTransportTest, ConcurrentSendsWriteWholeLines) {
  Pipe in, out;
  StdioTransport transport(in.read_fd(), out.write_fd());
  std::string reader_output;
  std::thread reader([&] { reader_output = out.ReadAll(); });
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        transport.Send(Json{{"t", t}, {"i", i}, {"pad", std::string(500, 'p')}, {"nl", "a\nb"}}, nullptr);
      }
    });
  }
  for (auto& s : senders) {
    s.join();
  }
  out.CloseWrite();
  reader.join();
  auto lines = Lines(reader_output);
  ASSERT_EQ(lines.size(), 800u);
  for (const auto& line : lines) {
    Json j = Json::parse(line);  // throws (fails the test) on a torn line
    EXPECT_EQ(j["nl"], "a\nb");
  }
}

TEST(StdioTransportTest, ClosedOutputDropsMessagesWithoutCrashing) {
  Pipe in, out;
  out.CloseRead();
  signal(SIGPIPE, SIG_IGN);
  StdioTransport transport(in.read_fd(), out.write_fd());
  transport.Send(Json{{"x", 1}}, nullptr);
  transport.Send(Json{{"x", 2}}, nullptr);
  SUCCEED();
}

TEST(StdioTransportTest, EndOfInputWithOutputOpenLeavesCallsDeliverable) {
  Pipe in, out;
  StdioTransport transport(in.read_fd(), out.write_fd());
  RecordingSession session;
  in.CloseWrite();
  EXPECT_TRUE(transport.Run(session));
  EXPECT_FALSE(session.gone_all);  // Shutdown will answer them
}

TEST(StdioTransportTest, EndOfInputWithOutputClosedTellsTheSessionTheClientIsGone) {
  Pipe in, out;
  out.CloseRead();
  StdioTransport transport(in.read_fd(), out.write_fd());
  RecordingSession session;
  in.CloseWrite();
  EXPECT_TRUE(transport.Run(session));
  EXPECT_TRUE(session.gone_all);
}

}  // namespace
}  // namespace lmcp::transport

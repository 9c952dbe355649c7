#pragma once
// Test helpers for the HTTP transport: a scriptable fake mcp::Session, SSE parsing, and OpenSSL-backed
// key generation and JWT signing for the OAuth tests. Test-only.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mcp/session.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace lmcp::transport::testing {

using Json = nlohmann::json;

// Answers initialize and ping synchronously; tools/call on a thread: a progress notification and a
// `notifications/message`, then (after `release` if `hold_calls`) the result {"content":[{"type":"text",
// "text":"called <name>"}]}. "tools/call" of tool "cancel_me" ends without a response. Records everything.
class FakeSession final : public mcp::Session {
 public:
  FakeSession(mcp::MessageSink& sink, mcp::SessionOptions options, bool hold_calls,
              std::function<void()> on_shutdown = nullptr);
  ~FakeSession() override;
  void HandleRaw(std::string_view text) override;
  void HandleMessage(Json message) override;
  std::string protocol_version() const override;
  bool initialized() const override;
  // Takes the ticket's version (as if initialized), and records {"resumed": version} in received().
  Status Resume(const mcp::SessionTicket& ticket) override;
  void ClientGone(const Json& id) override;
  void ClientGoneAll() override { gone_all_++; }
  void Cancel(const Json& id) override;
  void Shutdown(std::chrono::milliseconds grace) override;

  // Sends an unsolicited message (as tools/list_changed would be).
  void SendUnsolicited(const Json& message);
  void Release();
  std::vector<Json> received() const;
  const mcp::SessionOptions& options() const { return options_; }
  int in_flight() const { return in_flight_.load(); }
  bool shut_down() const { return shut_down_.load(); }
  // The ids the transport reported gone, and how often it reported the whole client gone.
  std::vector<Json> gone() const;
  int gone_all() const { return gone_all_.load(); }
  // The ids the transport cancelled (a stateless request whose stream closed).
  std::vector<Json> cancelled() const;

 private:
  mcp::MessageSink& sink_;
  mcp::SessionOptions options_;
  bool hold_calls_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::vector<Json> received_;
  std::vector<std::thread> threads_;
  std::string version_;
  std::atomic<int> in_flight_{0};
  std::atomic<bool> shut_down_{false};
  std::atomic<int> gone_all_{0};
  std::vector<Json> gone_;
  std::vector<Json> cancelled_;
  std::function<void()> on_shutdown_;
};

// Collects the sessions a server created, so tests can reach them.
struct FakeSessions {
  bool hold_calls = false;
  std::mutex mu;
  std::vector<FakeSession*> all;  // sessions may be gone: use only while the server holds them
  std::atomic<int> shutdowns{0};  // sessions shut down so far (safe after they are destroyed)
  FakeSession* last();
  size_t count();  // sessions created so far
  // A factory for HttpServerDeps::session_factory.
  std::function<std::unique_ptr<mcp::Session>(mcp::MessageSink&, const mcp::SessionOptions&)> Factory();
};

// The `data:` payloads of an SSE body, parsed as JSON.
std::vector<Json> ParseSse(const std::string& body);

// --- keys and tokens ---
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const;
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
Key NewRsaKey();
Key NewEcKey();
// Public JWK of `key` with the given kid.
Json PublicJwk(EVP_PKEY* key, const std::string& kid);
// Compact JWS over `claims` with alg RS256 (RSA key) or ES256 (EC key).
std::string SignJwt(EVP_PKEY* key, const std::string& kid, const Json& claims);
// The same with the JOSE header given as it is (its alg member is not looked at: the key decides).
std::string SignJwtWithHeader(EVP_PKEY* key, const Json& header, const Json& claims);

}  // namespace lmcp::transport::testing

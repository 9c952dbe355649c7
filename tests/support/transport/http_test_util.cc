#include "tests/support/transport/http_test_util.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <sstream>

#include "common/base64.h"
#include "jsonrpc/message.h"
#include "transport/jwt_verifier.h"

namespace lmcp::transport::testing {

FakeSession::FakeSession(mcp::MessageSink& sink, mcp::SessionOptions options, bool hold_calls,
                         std::function<void()> on_shutdown)
    : sink_(sink),
      options_(std::move(options)),
      hold_calls_(hold_calls),
      on_shutdown_(std::move(on_shutdown)) {}

FakeSession::~FakeSession() { Shutdown(std::chrono::milliseconds(0)); }

void FakeSession::HandleRaw(std::string_view text) { HandleMessage(Json::parse(text)); }

std::string FakeSession::protocol_version() const {
  std::lock_guard lock(mu_);
  return version_;
}

void FakeSession::ClientGone(const Json& id) {
  std::lock_guard lock(mu_);
  gone_.push_back(id);
}

void FakeSession::Cancel(const Json& id) {
  std::lock_guard lock(mu_);
  cancelled_.push_back(id);
}

std::vector<Json> FakeSession::cancelled() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

std::vector<Json> FakeSession::gone() const {
  std::lock_guard lock(mu_);
  return gone_;
}

bool FakeSession::initialized() const { return !protocol_version().empty(); }

Status FakeSession::Resume(const mcp::SessionTicket& ticket) {
  std::lock_guard lock(mu_);
  version_ = ticket.protocol_version;
  received_.push_back(Json{{"resumed", ticket.protocol_version}});
  return Ok();
}

void FakeSession::HandleMessage(Json m) {
  {
    std::lock_guard lock(mu_);
    received_.push_back(m);
  }
  if (!m.contains("method") || !m.contains("id")) {
    return;  // notification or response
  }
  const Json id = m["id"];
  std::string method = m["method"];
  if (method == "initialize") {
    std::string v = m["params"].value("protocolVersion", "2025-11-25");
    if (v == "bad") {
      sink_.Send(jsonrpc::MakeError(id, jsonrpc::RpcError::InvalidParams("bad")), id);
      sink_.RequestEnded(id);
      return;
    }
    {
      std::lock_guard lock(mu_);
      version_ = v;
    }
    sink_.Send({{"jsonrpc", "2.0"},
                {"id", id},
                {"result",
                 {{"protocolVersion", v},
                  {"capabilities", {{"tools", {{"listChanged", true}}}}},
                  {"serverInfo", {{"name", "fake"}, {"version", "0"}}}}}},
               id);
    sink_.RequestEnded(id);
  } else if (method == "tools/call") {
    std::string name = m["params"].value("name", "");
    Json token = m["params"].contains("_meta") ? m["params"]["_meta"].value("progressToken", Json()) : Json();
    std::lock_guard lock(mu_);
    if (shut_down_) {
      return;
    }
    in_flight_++;
    threads_.emplace_back([this, id, name, token] {
      if (!token.is_null()) {
        sink_.Send({{"jsonrpc", "2.0"},
                    {"method", "notifications/progress"},
                    {"params", {{"progressToken", token}, {"progress", 50}, {"total", 100}}}},
                   id);
      }
      sink_.Send({{"jsonrpc", "2.0"},
                  {"method", "notifications/message"},
                  {"params", {{"level", "info"}, {"data", "working on " + name}}}},
                 id);
      if (hold_calls_) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return released_; });
      }
      if (name != "cancel_me") {
        sink_.Send({{"jsonrpc", "2.0"},
                    {"id", id},
                    {"result", {{"content", {{{"type", "text"}, {"text", "called " + name}}}}}}},
                   id);
      }
      sink_.RequestEnded(id);
      in_flight_--;
      cv_.notify_all();
    });
  } else {
    sink_.Send({{"jsonrpc", "2.0"}, {"id", id}, {"result", Json::object()}}, id);
    sink_.RequestEnded(id);
  }
}

void FakeSession::SendUnsolicited(const Json& message) { sink_.Send(message, Json()); }

void FakeSession::Release() {
  // Notify under the lock: once the held call sees `released_` the server may destroy this session, and
  // ~FakeSession takes `mu_` first, so it cannot run while we still touch `cv_`.
  std::lock_guard lock(mu_);
  released_ = true;
  cv_.notify_all();
}

std::vector<Json> FakeSession::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

void FakeSession::Shutdown(std::chrono::milliseconds grace) {
  std::vector<std::thread> threads;
  {
    std::unique_lock lock(mu_);
    if (!shut_down_.exchange(true) && on_shutdown_) {
      on_shutdown_();
    }
    cv_.wait_for(lock, grace, [&] { return in_flight_.load() == 0; });
    released_ = true;  // cancel the rest
    cv_.notify_all();
    threads.swap(threads_);
  }
  for (auto& t : threads) {
    t.join();
  }
}

FakeSession* FakeSessions::last() {
  std::lock_guard lock(mu);
  return all.empty() ? nullptr : all.back();
}

size_t FakeSessions::count() {
  std::lock_guard lock(mu);
  return all.size();
}

std::function<std::unique_ptr<mcp::Session>(mcp::MessageSink&, const mcp::SessionOptions&)>
FakeSessions::Factory() {
  return [this](mcp::MessageSink& sink, const mcp::SessionOptions& options) {
    auto s = std::make_unique<FakeSession>(sink, options, hold_calls, [this] { shutdowns++; });
    std::lock_guard lock(mu);
    all.push_back(s.get());
    return s;
  };
}

std::vector<Json> ParseSse(const std::string& body) {
  std::vector<Json> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("data: ", 0) == 0 && line.size() > 6) {
      out.push_back(Json::parse(line.substr(6)));
    }
  }
  return out;
}

void KeyDeleter::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

Key NewRsaKey() { return Key(EVP_RSA_gen(2048)); }
Key NewEcKey() { return Key(EVP_EC_gen("P-256")); }

namespace {
std::string BnBytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}
}  // namespace

Json PublicJwk(EVP_PKEY* key, const std::string& kid) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    return {{"kty", "RSA"},
            {"kid", kid},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", Base64UrlEncode(BnBytes(key, OSSL_PKEY_PARAM_RSA_N))},
            {"e", Base64UrlEncode(BnBytes(key, OSSL_PKEY_PARAM_RSA_E))}};
  }
  unsigned char point[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
  std::string p(reinterpret_cast<char*>(point), len);
  return {{"kty", "EC"},
          {"kid", kid},
          {"crv", "P-256"},
          {"x", Base64UrlEncode(p.substr(1, 32))},
          {"y", Base64UrlEncode(p.substr(33, 32))}};
}

std::string SignJwt(EVP_PKEY* key, const std::string& kid, const Json& claims) {
  bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
  Json header = {{"alg", rsa ? "RS256" : "ES256"}, {"typ", "JWT"}};
  if (!kid.empty()) {
    header["kid"] = kid;
  }
  return SignJwtWithHeader(key, header, claims);
}

std::string SignJwtWithHeader(EVP_PKEY* key, const Json& header, const Json& claims) {
  bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
  size_t len = 0;
  EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  EVP_MD_CTX_free(md);
  if (!rsa) {  // DER → raw r||s
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    sig = raw;
  }
  return input + "." + Base64UrlEncode(sig);
}

}  // namespace lmcp::transport::testing

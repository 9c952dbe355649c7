#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <memory>

#include "common/strings.h"

namespace lmcp {

namespace {

// OpenSSL 3's one-shot SHA256()/HMAC() look the algorithm up on every call; fetch it once and keep a context
// per thread instead (several times faster for the short inputs SigV4 hashes).
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

struct MdCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* ThreadCtx() {
  thread_local MdCtx ctx;
  return ctx.ctx;
}

Digest Sha256Parts(std::string_view a, std::string_view b) {
  Digest out{};
  EVP_MD_CTX* ctx = ThreadCtx();
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, Sha256Md(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  return out;
}

}  // namespace

Digest Sha256(std::string_view data) { return Sha256Parts(data, {}); }

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

// RFC 2104 over SHA-256 (block size 64).
Digest HmacSha256(std::string_view key, std::string_view data) {
  constexpr std::size_t kBlock = 64;
  unsigned char k[kBlock] = {};
  if (key.size() > kBlock) {
    Digest hashed = Sha256(key);
    std::memcpy(k, hashed.data(), hashed.size());
  } else {
    std::memcpy(k, key.data(), key.size());
  }
  char ipad[kBlock], opad[kBlock];
  for (std::size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  Digest inner = Sha256Parts(std::string_view(ipad, kBlock), data);
  return Sha256Parts(std::string_view(opad, kBlock),
                     std::string_view(reinterpret_cast<const char*>(inner.data()), inner.size()));
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 0xf];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Error::InvalidArgument("hex: odd number of digits");
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexDigitValue(hex[i]);
    int lo = HexDigitValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return Error::InvalidArgument("hex: not a hex digit at offset " + std::to_string(hi < 0 ? i : i + 1));
    }
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string HexEncode(const Digest& digest) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Result<std::string> RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Error::Internal("RAND_bytes failed");
  }
  return out;
}

namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<std::string> AeadSeal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  if (key.size() != kAeadKeyBytes) {
    return Error::InvalidArgument("AES-256-GCM needs a 32-byte key");
  }
  auto nonce = RandomBytes(kNonceBytes);
  if (!nonce.ok()) {
    return nonce.error();
  }
  std::string out = *nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(*nonce)) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), Bytes(out) + kNonceBytes, &len, Bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), Bytes(out) + kNonceBytes + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                Bytes(out) + kNonceBytes + plaintext.size()) == 1;
  if (!ok) {
    return Error::Internal("AES-256-GCM sealing failed");
  }
  return out;
}

Result<std::string> AeadOpen(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (key.size() != kAeadKeyBytes) {
    return Error::InvalidArgument("AES-256-GCM needs a 32-byte key");
  }
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return Error::InvalidArgument("sealed data is too short");
  }
  std::string_view nonce = sealed.substr(0, kNonceBytes);
  std::string_view body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  std::string out(body.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(nonce)) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), Bytes(out), &len, Bytes(body), static_cast<int>(body.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), Bytes(out) + len, &len) == 1;
  if (!ok) {
    return Error::InvalidArgument("sealed data failed authentication");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lmcp

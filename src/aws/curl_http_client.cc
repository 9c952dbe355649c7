#include "aws/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

#include "common/strings.h"

namespace lmcp::aws {
namespace {

constexpr std::size_t kMaxIdleHandles = 16;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  std::size_t max_bytes = 0;
  HttpResponse response;
  bool too_large = false;
  bool sent = false;
  bool idempotent = true;
  bool resend_refused = false;
  std::chrono::steady_clock::time_point last_progress;
  curl_off_t last_up = 0;
  curl_off_t last_down = 0;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  t->last_progress = std::chrono::steady_clock::now();
  if (t->response.body.size() + len > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  t->last_progress = std::chrono::steady_clock::now();
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response (after 100 Continue or a redirect)
    return len;
  }
  if (line.empty()) {
    return len;
  }
  if ((line.front() == ' ' || line.front() == '\t') && !t->response.headers.empty()) {
    t->response.headers.back().second += " ";
    t->response.headers.back().second += std::string(line.substr(line.find_first_not_of(" \t")));
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return len;
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  t->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  if (t->response.body.size() + t->response.headers.size() * 64 > t->max_bytes + 65536) {
    t->too_large = true;
  }
  return t->too_large ? 0 : len;
}

// Called before each attempt to send the request. A second call means libcurl is re-sending it on a fresh
// connection because a reused one died before any response byte: the server may have acted on the first
// copy, so a non-idempotent request stops here instead.
int OnPrereq(void* user, char*, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  if (t->sent && !t->idempotent) {
    t->resend_refused = true;
    return CURL_PREREQFUNC_ABORT;
  }
  t->sent = true;
  return CURL_PREREQFUNC_OK;
}

int OnProgress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  if (dlnow != t->last_down || ulnow != t->last_up) {
    t->last_down = dlnow;
    t->last_up = ulnow;
    t->last_progress = std::chrono::steady_clock::now();
  }
  return 0;
}

bool IsConnectError(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_PROXY:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct CurlHttpClient::Shared {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Shared*>(user)->locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Shared*>(user)->locks[data].unlock();
  }
};

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options)
    : options_(std::move(options)), shared_(std::make_unique<Shared>()) {
  GlobalInit();
  shared_->share = curl_share_init();
  curl_share_setopt(shared_->share, CURLSHOPT_LOCKFUNC, &Shared::Lock);
  curl_share_setopt(shared_->share, CURLSHOPT_UNLOCKFUNC, &Shared::Unlock);
  curl_share_setopt(shared_->share, CURLSHOPT_USERDATA, shared_.get());
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

namespace {
void Cleanup(void* easy, void* multi) {
  if (multi != nullptr) {
    curl_multi_cleanup(static_cast<CURLM*>(multi));
  }
  if (easy != nullptr) {
    curl_easy_cleanup(static_cast<CURL*>(easy));
  }
}
}  // namespace

CurlHttpClient::~CurlHttpClient() {
  for (Handles h : idle_) {
    Cleanup(h.easy, h.multi);
  }
  idle_.clear();
  curl_share_cleanup(shared_->share);
}

CurlHttpClient::Handles CurlHttpClient::Acquire() {
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_.empty()) {
      Handles h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  Handles h{curl_easy_init(), curl_multi_init()};
  if (h.easy == nullptr || h.multi == nullptr) {
    Cleanup(h.easy, h.multi);
    return {};
  }
  return h;
}

void CurlHttpClient::Release(Handles h) {
  curl_easy_reset(static_cast<CURL*>(h.easy));
  {
    std::lock_guard lock(pool_mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(h);
      return;
    }
  }
  Cleanup(h.easy, h.multi);
}

namespace {

// Method, body and the options every request shares (no redirects, TLS verified, our callbacks on `t`).
void SetRequestOptions(CURL* easy, const HttpRequest& request, const CurlHttpClientOptions& options,
                       CURLSH* share, Transfer& t) {
  curl_easy_setopt(easy, CURLOPT_SHARE, share);
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_bundle.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_bundle.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &OnPrereq);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, &t);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_response_bytes));

  const bool has_body = !request.body.empty() || request.method == "POST" || request.method == "PUT";
  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (request.method != "POST") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (has_body && request.method != "GET" && request.method != "HEAD") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  }
}

// The request's headers as libcurl takes them (the caller frees the list), with libcurl's own defaults
// (form Content-Type, Accept, Expect: 100-continue) suppressed and our User-Agent unless one is given.
curl_slist* SetRequestHeaders(CURL* easy, const HttpRequest& request, const CurlHttpClientOptions& options) {
  curl_slist* headers = nullptr;
  bool has_content_type = false, has_user_agent = false, has_accept = false;
  for (const auto& [k, v] : request.headers) {
    if (IEquals(k, "content-length")) {
      continue;  // libcurl sets it from the body
    }
    has_content_type |= IEquals(k, "content-type");
    has_user_agent |= IEquals(k, "user-agent");
    has_accept |= IEquals(k, "accept");
    std::string line = v.empty() ? k + ";" : k + ": " + v;
    headers = curl_slist_append(headers, line.c_str());
  }
  if (!has_content_type) {
    headers = curl_slist_append(headers, "Content-Type:");  // no form-urlencoded default
  }
  if (!has_accept) {
    headers = curl_slist_append(headers, "Accept:");
  }
  headers = curl_slist_append(headers, "Expect:");
  if (!has_user_agent) {
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  return headers;
}

struct TransferOutcome {
  CURLcode result = CURLE_OK;
  bool cancelled = false;
  bool read_timed_out = false;
};

// Drives the transfer until it finishes, `stop` is requested, or no byte moved for `read_timeout` once the
// request was sent.
TransferOutcome RunTransfer(CURLM* multi, Transfer& t, std::stop_token stop,
                            std::chrono::milliseconds read_timeout) {
  TransferOutcome out;
  // Scoped: the callback must be gone (its destructor waits for a running one) before the handles return
  // to the pool.
  std::stop_callback wake(stop, [multi] { curl_multi_wakeup(multi); });
  t.last_progress = std::chrono::steady_clock::now();
  while (true) {
    int running = 0;
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc != CURLM_OK) {
      out.result = CURLE_RECV_ERROR;
      return out;
    }
    if (running == 0) {
      int queued = 0;
      CURLMsg* msg = curl_multi_info_read(multi, &queued);
      out.result = msg != nullptr && msg->msg == CURLMSG_DONE ? msg->data.result : CURLE_RECV_ERROR;
      return out;
    }
    if (stop.stop_requested()) {
      out.cancelled = true;
      return out;
    }
    auto now = std::chrono::steady_clock::now();
    if (t.sent && now - t.last_progress > read_timeout) {
      out.read_timed_out = true;
      return out;
    }
    auto wait =
        t.sent ? read_timeout - std::chrono::duration_cast<std::chrono::milliseconds>(now - t.last_progress)
               : std::chrono::milliseconds(100);
    wait = std::clamp(wait, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
}

// The response, or the error kind callers branch on (whether the request may have reached the server).
HttpResult ToHttpResult(const HttpRequest& request, Transfer& t, const TransferOutcome& outcome, long status,
                        std::chrono::milliseconds read_timeout) {
  const CURLcode result = outcome.result;
  if (outcome.cancelled) {
    return HttpError{HttpErrorKind::kCancelled, "request cancelled", t.sent};
  }
  if (t.resend_refused) {
    return HttpError{HttpErrorKind::kConnectionReset,
                     "connection closed before any response; not re-sent because the server may have acted "
                     "on the request",
                     true};
  }
  if (outcome.read_timed_out) {
    return HttpError{HttpErrorKind::kReadTimeout,
                     "no response progress for " + std::to_string(read_timeout.count()) + " ms", true};
  }
  if (t.too_large || result == CURLE_FILESIZE_EXCEEDED) {
    return HttpError{HttpErrorKind::kResponseTooLarge,
                     "response larger than " + std::to_string(request.max_response_bytes) + " bytes", true};
  }
  if (result == CURLE_OK) {
    t.response.status = static_cast<int>(status);
    return std::move(t.response);
  }
  std::string message = curl_easy_strerror(result);
  if (result == CURLE_URL_MALFORMAT || result == CURLE_UNSUPPORTED_PROTOCOL) {
    return HttpError{HttpErrorKind::kInvalidRequest, message, false};
  }
  if (!t.sent && result == CURLE_OPERATION_TIMEDOUT) {
    return HttpError{HttpErrorKind::kTimeoutBeforeSend, message, false};
  }
  if (!t.sent || IsConnectError(result)) {
    return HttpError{HttpErrorKind::kConnectFailed, message, false};
  }
  if (result == CURLE_OPERATION_TIMEDOUT) {
    return HttpError{HttpErrorKind::kReadTimeout, message, true};
  }
  return HttpError{HttpErrorKind::kConnectionReset, message, true};
}

}  // namespace

HttpResult CurlHttpClient::Send(const HttpRequest& request, std::stop_token stop) {
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
    return HttpError{HttpErrorKind::kInvalidRequest, "unsupported URL: " + request.url, false};
  }
  if (stop.stop_requested()) {
    return HttpError{HttpErrorKind::kCancelled, "cancelled before sending", false};
  }
  Handles handles = Acquire();
  if (handles.easy == nullptr) {
    return HttpError{HttpErrorKind::kInvalidRequest, "curl_easy_init failed", false};
  }
  CURL* easy = static_cast<CURL*>(handles.easy);
  CURLM* multi = static_cast<CURLM*>(handles.multi);
  Transfer t;
  t.max_bytes = request.max_response_bytes;
  t.idempotent = request.idempotent;
  SetRequestOptions(easy, request, options_, shared_->share, t);
  curl_slist* headers = SetRequestHeaders(easy, request, options_);

  curl_multi_add_handle(multi, easy);
  const auto read_timeout = std::max(request.read_timeout, std::chrono::milliseconds(1));
  TransferOutcome outcome = RunTransfer(multi, t, stop, read_timeout);

  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  long new_connections = 0;
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &new_connections);
  connections_opened_ += new_connections;
  curl_multi_remove_handle(multi, easy);
  curl_slist_free_all(headers);
  Release(handles);
  return ToHttpResult(request, t, outcome, status, read_timeout);
}

}  // namespace lmcp::aws

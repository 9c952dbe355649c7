#pragma once
// The emulated AWS endpoint: routes a received HTTP request to Lambda (ListFunctions, ListTags, GetFunction,
// Invoke), EventBridge Schemas (DescribeSchema), Resource Groups Tagging (GetResources) or STS
// (GetCallerIdentity), checks its SigV4 signature, applies configured faults, and answers with AWS's status
// codes, headers and error bodies. Also serves the admin API under /__admin/ (stats, faults;
// service_admin.cc). Requests a web page could make (foreign Origin, DNS-rebound Host) are refused first.
// Handle() is thread-safe; the service owns background Event invocations and waits for them on destruction.
// Layout: service.cc runs the pipeline; the route table is service_routes.cc, SigV4 service_auth.cc, one
// file per emulated service (service_lambda*.cc, service_schemas.cc, service_tagging.cc, service_sts.cc),
// the wire shapes they share service_wire.*.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "common/clock.h"
#include "emulator/faults.h"
#include "emulator/http_server.h"
#include "emulator/model.h"
#include "emulator/runtime.h"
#include "emulator/stats.h"

namespace lmcp::emulator {

// The server side of SigV4; aws::Verify in production. A seam so the service can be tested on its own.
using SignatureVerifier = std::function<Result<aws::VerifiedCaller>(
    const aws::HttpRequest&, const aws::SecretLookup&, std::chrono::system_clock::time_point)>;

struct ServiceOptions {
  std::vector<aws::Credentials> credentials;  // accepted keys; empty with check_signatures = reject all
  bool check_signatures = true;
  SignatureVerifier verifier;               // required when check_signatures
  int account_concurrency = 1000;           // ConcurrentInvocationLimitExceeded above this
  std::string host_for_urls = "127.0.0.1";  // used in GetFunction's Code.Location
  // Listening on loopback only: then every request's Host must be a loopback name (else only /__admin's).
  bool bound_to_loopback = true;
  int port_for_urls = 0;
};

// Why a request that a web page could have made in a browser is refused (403), or empty when it is not:
// an Origin header other than a loopback origin (any request), or a Host header other than a loopback name
// (every request when bound to loopback; /__admin also when bound to a network address, where IP literals
// pass too). The admin API has no authentication, and on loopback the demo secret is public.
std::string BrowserRefusal(const ServerRequest& req, bool bound_to_loopback, bool admin);

class LocalService {
 public:
  LocalService(Deployment deployment, ServiceOptions options, std::unique_ptr<FunctionRuntime> runtime,
               Clock& clock);
  ~LocalService();
  LocalService(const LocalService&) = delete;
  LocalService& operator=(const LocalService&) = delete;

  ServerResponse Handle(const ServerRequest& request);

  Stats& stats() { return stats_; }
  FaultInjector& faults() { return faults_; }
  const Deployment& deployment() const { return deployment_; }
  void set_port_for_urls(int port) { options_.port_for_urls = port; }
  // Blocks until background Event invocations have finished.
  void WaitForEventInvocations();

 private:
  struct Route;
  // An operation: answers `request`, addressed as `route`, under `request_id`. Every row of the route table
  // (service_routes.cc) names one.
  using Handler = ServerResponse (LocalService::*)(const ServerRequest& request, const Route& route,
                                                   const std::string& request_id);
  struct FaultEffect;

  // The pipeline Handle() runs, in order (service.cc).
  Route MatchRoute(const ServerRequest& request) const;  // service_routes.cc
  // The refusal when the request's SigV4 signature does not pass, or nothing (service_auth.cc).
  std::optional<ServerResponse> CheckSignature(const ServerRequest& request, const Route& route,
                                               const std::string& request_id);
  FaultEffect ApplyFaults(const Route& route, const std::string& request_id);
  // The AccessDenied error IAM answers when `rule` (a deny) removes the route's permission; nothing for an
  // operation IAM cannot deny.
  std::optional<ServerResponse> DenyAnswer(const Route& route, const FaultRule& rule,
                                           const std::string& request_id) const;

  ServerResponse HandleAdmin(const ServerRequest& request);  // service_admin.cc
  // Lambda: service_lambda.cc and, for Invoke, service_lambda_invoke.cc.
  // The function the route names, with its ?Qualifier=, as Lambda resolves it; null with *error filled when
  // there is none.
  const FunctionSpec* RoutedFunction(const Route& route, std::string* version, ServerResponse* error,
                                     const std::string& request_id) const;
  ServerResponse ListFunctions(const ServerRequest& request, const Route& route,
                               const std::string& request_id);
  ServerResponse GetFunction(const ServerRequest& request, const Route& route, const std::string& request_id);
  ServerResponse ListTags(const ServerRequest& request, const Route& route, const std::string& request_id);
  ServerResponse Invoke(const ServerRequest& request, const Route& route, const std::string& request_id);
  ServerResponse QueueEvent(const FunctionSpec& function, InvokeInput input, const std::string& request_id);
  ServerResponse InvokeNow(const FunctionSpec& function, InvokeInput input, const std::string& log_type,
                           const std::string& request_id);
  // EventBridge Schemas: service_schemas.cc.
  ServerResponse DescribeSchema(const ServerRequest& request, const Route& route,
                                const std::string& request_id);
  // Resource Groups Tagging: service_tagging.cc.
  ServerResponse GetResources(const ServerRequest& request, const Route& route,
                              const std::string& request_id);
  // STS: service_sts.cc.
  ServerResponse GetCallerIdentity(const ServerRequest& request, const Route& route,
                                   const std::string& request_id);
  std::string NewRequestId();

  Deployment deployment_;
  ServiceOptions options_;
  std::unique_ptr<FunctionRuntime> runtime_;
  Clock& clock_;
  Stats stats_;
  FaultInjector faults_;
  std::mutex mu_;
  std::mt19937_64 rng_;
  std::condition_variable events_cv_;
  int events_in_flight_ = 0;
  std::string last_modified_;
};

}  // namespace lmcp::emulator

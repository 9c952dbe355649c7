#pragma once
// HttpServer's view of one POST, shared by its session-era (http_server_messages.cc) and stateless
// (http_server_stateless.cc) halves. Internal to the transport layer.

#include <memory>
#include <string>
#include <vector>

#include "transport/http_server.h"
#include "transport/http_session.h"

namespace lmcp::transport {

// One POST: its messages (a batch's elements, or the one message) and, once a session takes them, the
// requests among them and the exchange that collects their answers.
struct HttpServer::Post {
  std::vector<Json> messages;
  bool batch = false;
  bool initialize = false;  // an initialize request, then the only message
  std::shared_ptr<HttpSession> session;
  std::vector<std::string> keys;  // jsonrpc::IdKey of each request
  std::vector<Json> ids;          // and its id
  std::shared_ptr<Exchange> exchange;
};

}  // namespace lmcp::transport

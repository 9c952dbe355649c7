// Our endpoint and moto_server must agree on the wire wherever moto implements the operation: the same
// discovery and invoke calls, made by the same AWS-layer clients, against both seeded with the same five
// functions (tests/e2e/lambda_moto/moto_fixture.py). moto gaps (aws-wire.md §9.1): no Schemas, no paging,
// Tagging does not index simple-backend functions, Invoke echoes. Fails loudly when moto_server is missing.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "aws/aws_session.h"
#include "emulator/local_endpoint.h"
#include "test_session.h"

extern char** environ;

namespace lmcp::emulator {
namespace {

using nlohmann::json;

// moto_fixture.py as a child: started, seeded, stopped when its stdin closes.
class MotoFixture {
 public:
  bool Start(const std::string& workdir, std::string* error) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
      return false;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    std::string script = LMCP_MOTO_FIXTURE;
    std::vector<char*> argv = {const_cast<char*>("python3"), script.data(),
                               const_cast<char*>(workdir.c_str()), nullptr};
    int rc = posix_spawnp(&pid_, "python3", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    if (rc != 0) {
      *error = "cannot run python3";
      pid_ = -1;
      ::close(out[0]);
      return false;
    }
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1) {
      if (c == '\n') {
        break;
      }
      line += c;
    }
    ::close(out[0]);
    if (line.rfind("PORT ", 0) != 0) {
      *error = "moto_fixture.py did not start moto_server (is moto_server on PATH? see its stderr above)";
      return false;
    }
    port_ = std::stoi(line.substr(5));
    return true;
  }
  ~MotoFixture() {
    if (stdin_ >= 0) {
      ::close(stdin_);
    }
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
};

struct Seeded {
  const char* name;
  const char* description;
  std::map<std::string, std::string> tags;
};
const std::vector<Seeded> kFunctions = {
    {"mcp-echo", "Echo the event back (moto simple backend)", {{"mcp", "enabled"}, {"team", "core"}}},
    {"mcp-customer-info", "Customer status from { 'customerId' }", {{"team", "crm"}}},
    {"customer-id-from-email", "Get customer ID from { 'email' }", {{"mcp", "enabled"}}},
    {"report-generator", "", {}},
    {"2fa-verify", "Verify a 2FA code", {{"mcp", "disabled"}}},
};

// What one endpoint answered, in a form that can be compared.
struct Observed {
  std::map<std::string, std::string> descriptions;
  std::map<std::string, std::map<std::string, std::string>> tags;
  std::map<std::string, std::string> get_function_tags;
  std::string missing_code;
  int missing_status = 0;
  int invoke_status = 0;
  std::string invoke_error;
  json invoke_payload;
  int dry_run_status = 0;
  int event_status = 0;
};

Observed Observe(aws::AwsSession& s) {
  Observed o;
  auto fns = s.lambda().ListAllFunctions();
  EXPECT_TRUE(fns.ok()) << fns.error().ToString();
  if (fns.ok()) {
    for (const auto& f : *fns) {
      o.descriptions[f.function_name] = f.description;
      auto tags = s.lambda().ListTags(f.function_arn);
      EXPECT_TRUE(tags.ok()) << f.function_name;
      if (tags.ok()) {
        o.tags[f.function_name] = *tags;
      }
    }
  }
  auto got = s.lambda().GetFunction("mcp-echo");
  EXPECT_TRUE(got.ok());
  if (got.ok()) {
    o.get_function_tags = got->tags;
  }
  auto missing = s.lambda().GetFunction("no-such-function");
  if (!missing.ok()) {
    o.missing_code = missing.error().code;
    o.missing_status = missing.error().http_status;
  }
  aws::InvokeRequest r;
  r.function_name = "mcp-echo";
  r.payload = R"({"customerId":"12345","n":[1,2.5,null,true]})";
  auto inv = s.lambda().Invoke(r);
  EXPECT_TRUE(inv.ok());
  if (inv.ok()) {
    o.invoke_status = inv->status_code;
    o.invoke_error = inv->function_error;
    o.invoke_payload = json::parse(inv->payload, nullptr, false);
  }
  r.invocation_type = aws::InvocationType::kDryRun;
  auto dry = s.lambda().Invoke(r);
  if (dry.ok()) {
    o.dry_run_status = dry->status_code;
  }
  r.invocation_type = aws::InvocationType::kEvent;
  auto ev = s.lambda().Invoke(r);
  if (ev.ok()) {
    o.event_status = ev->status_code;
  }
  return o;
}

TEST(MotoAgreementTest, DiscoveryAndInvokeAgree) {
  namespace fs = std::filesystem;
  fs::path work = fs::temp_directory_path() / ("lmcp_moto_agree_" + std::to_string(::getpid()));
  fs::create_directories(work / "code");
  MotoFixture moto;
  std::string error;
  ASSERT_TRUE(moto.Start(work.string(), &error))
      << "FAIL (moto_server is required, never skipped): " << error;

  // The same five functions on our endpoint, with the echo runtime (moto's simple backend echoes too).
  std::ofstream tpl(work / "template.yaml");
  tpl << "Resources:\n";
  int i = 0;
  for (const auto& f : kFunctions) {
    tpl << "  F" << i++ << ":\n    Type: AWS::Serverless::Function\n    Properties:\n"
        << "      FunctionName: " << f.name
        << "\n      Runtime: echo\n      Handler: echo\n      CodeUri: code\n"
        << "      Description: " << json(f.description).dump() << "\n";
    if (!f.tags.empty()) {
      tpl << "      Tags:\n";
      for (const auto& [k, v] : f.tags) {
        tpl << "        " << k << ": " << v << "\n";
      }
    }
  }
  tpl.close();
  LocalOptions lo;
  lo.template_path = (work / "template.yaml").string();
  lo.access_key_id = "testing";
  lo.secret_access_key = "testing";
  auto ep = LocalEndpoint::Create(lo);
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  (*ep)->Start();

  auto ours_session = StaticKeySession((*ep)->url(), "testing", "testing");
  auto moto_session =
      StaticKeySession("http://127.0.0.1:" + std::to_string(moto.port()), "testing", "testing");
  ASSERT_TRUE(ours_session && moto_session);
  Observed ours = Observe(*ours_session);
  Observed theirs = Observe(*moto_session);

  std::map<std::string, std::string> expected_descriptions;
  std::map<std::string, std::map<std::string, std::string>> expected_tags;
  for (const auto& f : kFunctions) {
    expected_descriptions[f.name] = f.description;
    expected_tags[f.name] = f.tags;
  }
  for (const Observed* o : {&ours, &theirs}) {
    const char* who = o == &ours ? "lambda-mcp local" : "moto_server";
    EXPECT_EQ(o->descriptions, expected_descriptions) << who;
    EXPECT_EQ(o->tags, expected_tags) << who;
    EXPECT_EQ(o->get_function_tags, expected_tags["mcp-echo"]) << who;
    EXPECT_EQ(o->missing_status, 404) << who;
    EXPECT_EQ(o->missing_code, "ResourceNotFoundException") << who;
    EXPECT_EQ(o->invoke_status, 200) << who;
    EXPECT_EQ(o->invoke_error, "") << who;
    EXPECT_EQ(o->invoke_payload, json::parse(R"({"customerId":"12345","n":[1,2.5,null,true]})")) << who;
    EXPECT_EQ(o->dry_run_status, 204) << who;
    EXPECT_EQ(o->event_status, 202) << who;
  }
  (*ep)->Stop();
  fs::remove_all(work);
}

}  // namespace
}  // namespace lmcp::emulator

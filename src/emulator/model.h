#pragma once
// The emulated AWS account: Lambda functions (with versions and aliases) and EventBridge schemas, as loaded
// from a SAM template or synthesised. Plain values; a Deployment is built once and then only read.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lmcp::emulator {

// The IAM user every validly signed request acts as: GetCallerIdentity names it, and so do the AccessDenied
// messages of deny faults.
inline constexpr char kLocalUserName[] = "lambda-mcp-local";

struct FunctionSpec {
  std::string logical_id;  // template resource id ("" for synthetic functions)
  std::string name;        // FunctionName
  std::string handler;     // "app.handler"
  std::string runtime;     // "python3.11", "nodejs20.x", or "echo" (built in, no process)
  std::string code_dir;    // absolute directory holding the handler's code
  std::string description;
  std::map<std::string, std::string> tags;
  std::map<std::string, std::string> environment;
  int timeout_seconds = 3;
  int memory_mb = 128;
  std::optional<int> reserved_concurrency;  // ReservedConcurrentExecutions
  std::string alias;                        // AutoPublishAlias; publishes version "1" behind it
  std::string code_sha256;                  // base64 SHA-256 of the handler file (informational)
  long code_size = 0;
};

struct SchemaSpec {
  std::string registry;
  std::string name;
  std::string type = "JSONSchemaDraft4";  // or "OpenApi3"
  std::string content;                    // the schema document as text
  std::string description;
  std::map<std::string, std::string> tags;
};

struct RegistrySpec {
  std::string name;
  std::string description;
  std::map<std::string, std::string> tags;
};

struct Deployment {
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::vector<FunctionSpec> functions;  // sorted by name once finalised
  std::vector<RegistrySpec> registries;
  std::vector<SchemaSpec> schemas;
  std::vector<std::string> warnings;  // template parts that were not emulated, for the startup log

  std::string FunctionArn(const std::string& name) const {
    return "arn:aws:lambda:" + region + ":" + account_id + ":function:" + name;
  }
  std::string SchemaArn(const std::string& registry, const std::string& schema) const {
    return "arn:aws:schemas:" + region + ":" + account_id + ":schema/" + registry + "/" + schema;
  }
  std::string RegistryArn(const std::string& registry) const {
    return "arn:aws:schemas:" + region + ":" + account_id + ":registry/" + registry;
  }
  std::string CallerArn() const { return "arn:aws:iam::" + account_id + ":user/" + kLocalUserName; }
};

// Adds `count` echo functions named <prefix>0001… with the given tags (for paging and discovery tests).
void AddSyntheticFunctions(Deployment& deployment, int count, const std::string& prefix,
                           const std::map<std::string, std::string>& tags);

// Sorts functions by name and rejects duplicates.
bool FinalizeDeployment(Deployment& deployment, std::string* error);

}  // namespace lmcp::emulator

#pragma once
// `lambda-mcp doctor`: checks one target as serve would use it and says, for each problem, how to fix it:
// the region and where it came from, which credential source won (and an AWS_PROFILE that environment keys
// override), the caller identity (STS GetCallerIdentity), whether the Lambda endpoint answers,
// lambda:ListFunctions, the selection, and lambda:InvokeFunction on each selected function as a dry run
// (InvocationType DryRun: Lambda checks the permission and runs nothing). Calls AWS through the same session
// serve builds; never invokes a function for real.

#include <chrono>
#include <string>
#include <vector>

#include "aws/aws_config.h"
#include "aws/http_client.h"
#include "catalog/catalog_options.h"
#include "catalog/target_options.h"
#include "common/clock.h"

namespace lmcp::app {

struct Finding {
  enum class Level { kOk, kNote, kFail };
  Level level = Level::kOk;
  std::string check;   // "region", "credentials", "identity", "endpoint", "list", "selection", "invoke"
  std::string detail;  // what was found
  std::string fix;     // what to do; "" when nothing needs doing

  static Finding Ok(std::string check, std::string detail) {
    return {Level::kOk, std::move(check), std::move(detail), ""};
  }
  static Finding Note(std::string check, std::string detail, std::string fix = "") {
    return {Level::kNote, std::move(check), std::move(detail), std::move(fix)};
  }
  static Finding Fail(std::string check, std::string detail, std::string fix) {
    return {Level::kFail, std::move(check), std::move(detail), std::move(fix)};
  }
};

struct DoctorContext {
  catalog::CompatMode compat = catalog::CompatMode::kNone;
  std::chrono::seconds task_optional_over = catalog::kDefaultTaskOptionalOver;
  aws::EnvLookup env;               // the process environment in production
  Clock* clock = nullptr;           // default: the system clock
  aws::HttpClient* http = nullptr;  // default: the session's own (tests inject one)
  std::size_t max_dry_runs = 50;    // functions whose invoke permission is checked
};

// Every finding about `target`, in the order above. Checks that need an earlier one to pass are skipped.
std::vector<Finding> CheckTarget(const catalog::TargetOptions& target, const DoctorContext& context);

// "  ok    region       us-east-1 (AWS_REGION)", one line per finding, and an indented "fix:" line under each
// finding that has a fix.
std::string FormatFindings(const std::vector<Finding>& findings);

}  // namespace lmcp::app

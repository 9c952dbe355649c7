#pragma once
// Loads a SAM template (template.yaml) into a Deployment: AWS::Serverless::Function,
// AWS::EventSchemas::Registry and AWS::EventSchemas::Schema, Globals.Function, Parameters with defaults, and
// the intrinsics !Ref, !Sub, !GetAtt, !Join. Anything else that would change behaviour is an error; parts
// that are merely not emulated (events, policies, other resource types) become warnings in
// Deployment::warnings. Stateless functions.

#include <string>

#include "common/result.h"
#include "emulator/model.h"

namespace lmcp::emulator {

struct TemplateOptions {
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::string stack_name = "lambda-mcp-local";
};

// `base_dir` resolves relative CodeUri paths (normally the template's directory).
Result<Deployment> LoadTemplateString(const std::string& yaml, const std::string& base_dir,
                                      const TemplateOptions& options);
Result<Deployment> LoadTemplateFile(const std::string& path, const TemplateOptions& options);

}  // namespace lmcp::emulator

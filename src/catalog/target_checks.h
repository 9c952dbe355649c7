#pragma once
// Semantic checks of a list of targets, for the config loader (which reports them with its own problems) and
// for LambdaCatalog::SetTargets' callers. Each problem is one line that starts with `target "<name>": `
// (or names both targets). Pure functions.

#include <string>
#include <vector>

#include "catalog/target_options.h"

namespace lmcp::catalog {

// Every problem, in target order: a name outside [a-z0-9_-]{1,32} or used twice; a namespace that is not
// [A-Za-z0-9_-]{0,32}, or that is a prefix of another target's (then their tool names could collide — with
// several targets, each needs a namespace); a region that does not look like one ("eu-west-1"); an
// endpoint_url that is not http(s); credentials whose kind lacks its field (profile, role ARN), a role ARN
// that is not arn:<partition>:iam::<12 digits>:role/<path+name>, a session name outside [\w+=,.@-]{2,64},
// an external id outside 2–1224 characters of [\w+=,.@:/-], a duration outside 900–43200 s; half a tag
// filter; a default qualifier that is not an alias or version; a tool override without a function glob.
std::vector<std::string> ValidateTargets(const std::vector<TargetOptions>& targets);

}  // namespace lmcp::catalog

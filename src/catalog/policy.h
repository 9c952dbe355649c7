#pragma once
// The per-client policy, compiled (catalog/policy_options.h says what a rule is): globs, claim and scope
// matches, tool matches and argument schemas made ready once, then evaluated for (caller, tool) on every
// tools/list and tools/call. The first rule matching both the caller and the tool decides; with a policy and
// no matching rule the tool is denied. Immutable once compiled; safe from any thread.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/discovery.h"
#include "catalog/input_schema.h"
#include "catalog/policy_options.h"
#include "mcp/identity.h"

namespace lmcp::catalog {

struct Decision {
  bool allowed = true;
  std::string rule_id;  // the deciding rule; "" without a policy, or when no rule matched (default deny)
  std::string why;      // one line for logs: "allowed by rule 'crm'", "no rule matches: denied by default"
  // How the arguments fail the allowing rule's argument constraint, one line per problem ("[amount]: ...").
  // The tool stays allowed (listed, audited as allowed by that rule), but this call is refused.
  std::vector<std::string> argument_problems;
};

class Policy {
 public:
  // Compiles `options`. On any problem returns null and appends every one of them to `problems`, each as
  // "policy[<index>].<field>: what is wrong" (the config file's paths). Not enabled: a policy that allows
  // all.
  static std::shared_ptr<const Policy> Compile(const PolicyOptions& options,
                                               std::vector<std::string>& problems);
  // Allows everything (no policy configured).
  static std::shared_ptr<const Policy> AllowAll();

  ~Policy();
  // False when no policy is configured: every decision allows and every caller sees the same list.
  bool enabled() const { return enabled_; }
  // Whether `caller` may see and call `tool`. With `arguments`, an allow rule's argument constraint is
  // checked too (a call); without, it is not (a listing).
  Decision Evaluate(const mcp::Identity& caller, const ToolEntry& tool,
                    const mcp::Json* arguments = nullptr) const;

 private:
  struct Rule;
  Policy();
  bool enabled_ = false;
  std::vector<Rule> rules_;
};

// The policy in force, swapped whole at runtime (SIGHUP reload). A reader keeps the policy it got for as long
// as it holds it, so a call decided under the old policy finishes under it. Thread-safe.
class PolicyHolder {
 public:
  std::shared_ptr<const Policy> Get() const { return current_.load(); }
  void Set(std::shared_ptr<const Policy> policy) { current_.store(std::move(policy)); }

 private:
  std::atomic<std::shared_ptr<const Policy>> current_{Policy::AllowAll()};
};

// Each caller's tools/list under one policy and one discovery snapshot. Callers who see the same tools share
// one list: copying definitions costs far more than evaluating the policy (500 tools, 11 rules: ~0.1 ms to
// evaluate them all; copying 100 definitions with 20-property schemas: 2.5-6.5 ms), so only a new set of
// visible tools is copied. Thread-safe.
class VisibleTools {
 public:
  mcp::ToolList For(const mcp::Identity& caller, const std::shared_ptr<const Policy>& policy,
                    const std::shared_ptr<const std::vector<ToolEntry>>& entries);

 private:
  static constexpr size_t kMaxLists = 256;  // distinct visible sets kept; beyond, the cache starts over
  std::mutex mu_;
  std::shared_ptr<const Policy> policy_;  // what the lists below were made under
  std::shared_ptr<const std::vector<ToolEntry>> entries_;
  std::map<std::vector<bool>, mcp::ToolList> lists_;  // by which entries are visible
};

}  // namespace lmcp::catalog

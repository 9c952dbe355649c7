#pragma once
// Reads the structured sections of the config file (YAML or JSON) into plain values, collecting every
// problem with its path ("targets[1].credentials.role_arn: not an IAM role ARN") instead of stopping at the
// first, and suggesting the closest known key for an unknown one. Not thread-safe; used while loading.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lmcp::app {

class ConfigProblems {
 public:
  void Add(const std::string& path, const std::string& what) { lines_.push_back(path + ": " + what); }
  void AddLine(std::string line) { lines_.push_back(std::move(line)); }  // already says where
  const std::vector<std::string>& lines() const { return lines_; }
  bool empty() const { return lines_.empty(); }

 private:
  std::vector<std::string> lines_;
};

// "1h", "30m", "45s", "250ms" or a plain number of seconds; nullopt for anything else or a negative value.
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text);

// "256MiB", "1GiB", "512KiB", "64MB" (MB = MiB here: sizes of memory) or a plain number of bytes; nullopt
// for anything else.
std::optional<std::size_t> ParseByteSize(const std::string& text);

// One node of the document and where it is. Reading a value of the wrong shape records a problem and
// yields nothing (nullopt or empty), so the loader goes on and reports the rest too.
class ConfigNode {
 public:
  ConfigNode(YAML::Node node, std::string path, ConfigProblems& problems)
      : node_(std::move(node)), path_(std::move(path)), problems_(&problems) {}

  const std::string& path() const { return path_; }
  bool present() const { return node_.IsDefined() && !node_.IsNull(); }
  bool Has(const std::string& key) const;
  // A problem at this node.
  void Problem(const std::string& what) const { problems_->Add(path_, what); }

  // This node must be a map with only `known` keys; each other key is a problem with a did-you-mean.
  // False when it is not a map.
  bool ExpectMap(const std::vector<std::string>& known) const;
  // The child at `key` (may be absent); path "<this>.<key>".
  ConfigNode operator[](const std::string& key) const;
  // The items of a sequence (paths "<this>[i]"); a problem and none when this is not a sequence.
  std::vector<ConfigNode> Items() const;
  // The key/value pairs of a map; a problem and none when this is not a map.
  std::vector<std::pair<std::string, ConfigNode>> Entries() const;

  // Scalars; absent → nullopt without a problem.
  std::optional<std::string> String() const;
  std::optional<bool> Bool() const;
  std::optional<long long> Integer(long long min, long long max) const;
  std::optional<std::chrono::milliseconds> Duration() const;
  // A size in bytes within [min, max] (ParseByteSize), e.g. "256MiB".
  std::optional<std::size_t> ByteSize(std::size_t min, std::size_t max) const;
  // A number from 0 to 1 (a rate, a jitter).
  std::optional<double> Fraction() const;
  // A string or a sequence of strings.
  std::vector<std::string> StringList() const;
  // Any value as JSON (for embedded JSON Schemas).
  nlohmann::json Json() const;

 private:
  YAML::Node node_;
  std::string path_;
  ConfigProblems* problems_;
};

}  // namespace lmcp::app

#pragma once
// Test helpers for the aws layer (tests only): a map-backed environment, a scratch directory removed at the
// end, and the AWS CLI's captured requests. The clock for aws tests is FakeClock with SleepMode::kAdvance
// (tests/support/common/fake_clock.h), so retries and back-offs run without blocking.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "aws/aws_config.h"
#include "aws/http_types.h"
#include "common/clock.h"
#include "common/file.h"

namespace lmcp::aws::testing {

// Where the aws tests' FakeClock starts (2027-01-15 08:00 UTC); their fixed dates are relative to it.
inline const Clock::WallTime kAwsTestStart{std::chrono::seconds(1'800'000'000)};

inline EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ =
        std::filesystem::temp_directory_path() / ("lmcp-aws-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Write(const std::string& rel, const std::string& content) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// --- aws-captures.txt: requests the AWS CLI sent; our signer must reproduce every signature.
struct Capture {
  std::string label;
  HttpRequest request;
  std::string amz_date;
  std::string authorization;
};

inline std::vector<Capture> ReadCaptures() {
  std::string text = ReadWholeFile(std::string(LMCP_SHARED_DIR) + "/testdata/aws-captures.txt").value_or("");
  std::vector<Capture> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::string line = text.substr(pos, end - pos);
    if (!line.empty() && line[0] == '[') {
      Capture c;
      c.label = line;
      auto sp1 = line.find(' ');
      auto sp2 = line.find(' ', sp1 + 1);
      c.request.method = line.substr(sp1 + 1, sp2 - sp1 - 1);
      std::string target = line.substr(sp2 + 1);
      std::size_t content_length = 0;
      pos = end + 1;
      while (pos < text.size()) {
        end = text.find('\n', pos);
        std::string h = text.substr(pos, end - pos);
        if (h.rfind("    <body> ", 0) == 0) {
          c.request.body = text.substr(pos + 11, content_length);
          pos = pos + 11 + content_length;
          break;
        }
        if (h.rfind("    ", 0) != 0) {
          break;
        }
        std::string name = h.substr(4, h.find(':') - 4);
        std::string value = h.substr(h.find(':') + 2);
        pos = end + 1;
        if (name == "Authorization") {
          c.authorization = value;
        } else if (name == "X-Amz-Date") {
          c.amz_date = value;
        } else if (name == "Content-Length") {
          content_length = std::stoul(value);  // libcurl sends it; never in HttpRequest::headers
        } else {
          c.request.headers.emplace_back(name, value);
        }
      }
      c.request.url = "http://127.0.0.1:18081" + target;
      out.push_back(std::move(c));
      continue;
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace lmcp::aws::testing

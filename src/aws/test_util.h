#pragma once
// Test helpers for the aws layer (tests only): a clock whose SleepFor advances itself and records each sleep,
// a map-backed environment, and a scratch directory removed at the end.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "aws/aws_config.h"
#include "common/clock.h"

namespace lmcp::aws::testing {

class SteppingClock final : public Clock {
 public:
  explicit SteppingClock(WallTime start = WallTime(std::chrono::seconds(1'800'000'000))) : now_(start) {}
  WallTime Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  SteadyTime Steady() const override {
    std::lock_guard lock(mu_);
    return SteadyTime(now_.time_since_epoch());
  }
  void SleepFor(Duration d) override {
    std::lock_guard lock(mu_);
    sleeps_.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(d));
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }
  void Advance(Duration d) {
    std::lock_guard lock(mu_);
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }
  std::vector<std::chrono::milliseconds> sleeps() const {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  WallTime now_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

inline EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("lmcp-aws-" + std::to_string(rd()) + std::to_string(rd()));
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

}  // namespace lmcp::aws::testing

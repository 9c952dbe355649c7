#include "common/process_metrics.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace lmcp::metrics {
namespace {

std::map<std::string, double> ByName(const std::vector<CollectedFamily>& families) {
  std::map<std::string, double> out;
  for (const auto& f : families) {
    out[f.name] = f.samples.at(0).value;
  }
  return out;
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
  auto m = ByName(CollectProcessMetrics());
  ASSERT_TRUE(m.count("process_resident_memory_bytes"));
  EXPECT_GT(m["process_resident_memory_bytes"], 1024 * 1024);
  EXPECT_GE(m["process_threads"], 1);
  EXPECT_GE(m["process_open_fds"], 3);  // at least stdin, stdout, stderr (and the directory read)
  EXPECT_TRUE(m.count("process_cpu_seconds_total"));
}

TEST(ProcessMetricsTest, ParsesACommandNameWithSpacesAndParentheses) {
  auto dir = std::filesystem::temp_directory_path() / ("lmcp-proc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "fd");
  std::ofstream(dir / "fd" / "0") << "";
  std::ofstream(dir / "fd" / "1") << "";
  std::ofstream(dir / "status") << "Name:\tx\nThreads:\t7\n";
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
  // cstime priority nice num_threads itrealvalue starttime vsize rss
  std::ofstream(dir / "stat") << "42 (a (b) c) S 1 1 1 0 -1 0 0 0 0 0 250 150 0 0 20 0 7 0 100 1000 10 ...\n";
  auto m = ByName(CollectProcessMetrics(dir.string()));
  std::filesystem::remove_all(dir);
  EXPECT_EQ(m["process_threads"], 7);
  EXPECT_EQ(m["process_open_fds"], 2);
  EXPECT_DOUBLE_EQ(m["process_cpu_seconds_total"], 400.0 / static_cast<double>(sysconf(_SC_CLK_TCK)));
  EXPECT_EQ(m["process_resident_memory_bytes"], 10.0 * static_cast<double>(sysconf(_SC_PAGESIZE)));
}

TEST(ProcessMetricsTest, AMissingDirectoryLeavesTheSeriesOut) {
  auto m = ByName(CollectProcessMetrics("/nonexistent/proc/self"));
  EXPECT_FALSE(m.count("process_resident_memory_bytes"));
  EXPECT_FALSE(m.count("process_open_fds"));
}

}  // namespace
}  // namespace lmcp::metrics

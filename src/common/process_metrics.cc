#include "common/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace lmcp::metrics {
namespace {

CollectedFamily One(const char* name, const char* help, Type type, double value) {
  return {name, help, type, {{{}, value}}};
}

// "Threads:\t12" from /proc/self/status.
bool ReadThreads(const std::string& dir, double* threads) {
  std::ifstream in(dir + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Threads:")) {
      *threads = std::stod(line.substr(8));
      return true;
    }
  }
  return false;
}

// /proc/self/stat: fields 14 and 15 (utime, stime, in clock ticks) and 24 (rss, in pages), counted after
// the command name, which may contain spaces and is closed by the last ')'.
bool ReadStat(const std::string& dir, double* cpu_seconds, double* rss_bytes) {
  std::ifstream in(dir + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) {
    return false;
  }
  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string s; fields >> s;) {
    f.push_back(s);
  }
  if (f.size() < 22) {
    return false;
  }
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  *cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
  *rss_bytes = std::stod(f[21]) * static_cast<double>(sysconf(_SC_PAGESIZE));
  return true;
}

}  // namespace

std::vector<CollectedFamily> CollectProcessMetrics(const std::string& proc_self) {
  std::vector<CollectedFamily> out;
  double cpu = 0;
  double rss = 0;
  try {
    if (ReadStat(proc_self, &cpu, &rss)) {
      out.push_back(
          One("process_resident_memory_bytes", "Resident memory size in bytes.", Type::kGauge, rss));
      out.push_back(One("process_cpu_seconds_total", "User and system CPU time spent, in seconds.",
                        Type::kCounter, cpu));
    }
    double threads = 0;
    if (ReadThreads(proc_self, &threads)) {
      out.push_back(One("process_threads", "OS threads in the process.", Type::kGauge, threads));
    }
  } catch (const std::exception&) {  // a malformed number: leave the series out
  }
  std::error_code ec;
  double fds = 0;
  for (std::filesystem::directory_iterator it(proc_self + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    fds += 1;
  }
  if (!ec) {
    out.push_back(One("process_open_fds", "Open file descriptors.", Type::kGauge, fds));
  }
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.push_back(One("process_max_fds", "Maximum number of open file descriptors (soft limit).",
                      Type::kGauge, static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

void AddProcessCollector(Registry& registry) {
  registry.AddCollector([] { return CollectProcessMetrics(); });
}

}  // namespace lmcp::metrics

#pragma once
// The process's own series, read from /proc/self when /metrics is scraped (Linux): resident memory, threads,
// open and maximum file descriptors, CPU time. Names follow the Prometheus client libraries' process
// collector (process_resident_memory_bytes, process_open_fds, ...). Elsewhere, or when /proc is not
// readable, the affected series are left out.

#include <string>
#include <vector>

#include "common/metrics.h"

namespace lmcp::metrics {

// `proc_self`: the /proc/self directory (tests pass a fixture directory).
std::vector<CollectedFamily> CollectProcessMetrics(const std::string& proc_self = "/proc/self");

// Registers CollectProcessMetrics as a collector.
void AddProcessCollector(Registry& registry);

}  // namespace lmcp::metrics

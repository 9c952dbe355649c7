#pragma once
// A small metrics registry (counters, gauges, histograms with fixed buckets, each a family of labelled
// series) and its Prometheus text exposition (format 0.0.4). Layer-neutral: any layer may update a series;
// the app owns the registry and serves Expose() on /metrics.
//
// Thread safety: everything is safe from any thread. The hot path is lock-free once a series exists:
// WithLabels() takes a shared (reader) lock for the lookup, and Inc/Add/Set/Observe are relaxed atomics on
// the series, which stays at the same address for the registry's life. Callers that update one series often
// keep the reference. Collectors (values read at scrape time: /proc, other components' counters) run under
// no registry lock.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lmcp::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;  // name → value, in the family's order

enum class Type { kCounter, kGauge, kHistogram };

// Monotonic, from 0.
class Counter {
 public:
  void Inc(double n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double n) { value_.fetch_add(n, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Fixed upper bounds (ascending, +Inf implied). Counts per bucket are kept apart and made cumulative when
// exposed, so Observe is one search and two atomic adds.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double v);
  // Cumulative counts, one per bound and a last one for +Inf (== count()).
  std::vector<std::uint64_t> CumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double>& bounds_;  // the family's
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

// Latency buckets in seconds, from 1 ms to 60 s (Lambda invocations: cold starts, long functions).
std::vector<double> LatencyBuckets();

// One metric name and its series, one per distinct label value tuple.
template <class Series>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}

  // The series for these label values (as many as the family has label names; asserted). Created on first
  // use; the reference stays valid as long as the registry.
  Series& WithLabels(const std::vector<std::string_view>& values);
  Series& WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::vector<std::string_view>(values));
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Every series with its label values, in creation order.
  std::vector<std::pair<std::vector<std::string>, const Series*>> Snapshot() const;

 private:
  Series* Make();
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;  // histograms only
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Series>> by_key_;
  std::vector<std::pair<std::vector<std::string>, const Series*>> order_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Samples a collector reports at scrape time: one family (name, help, type) and its values.
struct Sample {
  Labels labels;
  double value = 0;
};
struct CollectedFamily {
  std::string name;
  std::string help;
  Type type = Type::kGauge;  // kCounter or kGauge
  std::vector<Sample> samples;
};
using Collector = std::function<std::vector<CollectedFamily>()>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers a family (a name may be registered once; asserted). Names and label names must be valid
  // Prometheus names (asserted): callers pass constants.
  CounterFamily& AddCounter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help, std::vector<std::string> label_names,
                                std::vector<double> bounds);
  // A function run on every Expose(), whose families are exposed after the registered ones. It must not
  // call back into this registry's Add* or Expose.
  void AddCollector(Collector collector);

  // The text exposition format 0.0.4: every family with # HELP and # TYPE, series in creation order.
  std::string Expose() const;

 private:
  void CheckNew(const std::string& name, const std::vector<std::string>& label_names);

  mutable std::shared_mutex mu_;
  struct Entry {
    Type type;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
  };
  std::vector<Entry> families_;
  std::vector<Collector> collectors_;
};

// The content type of Expose()'s text.
inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// Exposition helpers, exposed for tests: a label value with \, " and newline escaped; a HELP text with \ and
// newline escaped; a sample value (integers without a fraction, +Inf, -Inf, NaN).
std::string EscapeLabelValue(std::string_view v);
std::string EscapeHelp(std::string_view v);
std::string FormatValue(double v);
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace lmcp::metrics

#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace lmcp::metrics {
namespace {

// A programming error (a wrong label count, a bad or duplicate name): callers pass constants, so this is
// terminated on, in release builds too, rather than exposing a malformed page.
void Require(bool ok, const char* what, std::string_view name) {
  if (!ok) {
    std::fprintf(stderr, "lambda-mcp: metrics: %s: %.*s\n", what, static_cast<int>(name.size()), name.data());
    std::abort();
  }
}

std::string SeriesKey(const std::vector<std::string_view>& values) {
  std::string key;
  for (auto v : values) {
    key.append(v);
    key.push_back('\xff');  // never in UTF-8 text
  }
  return key;
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void AppendHeader(std::string& out, const std::string& name, const std::string& help, Type type) {
  out += "# HELP " + name + " " + EscapeHelp(help) + "\n";
  out += "# TYPE " + name + " " + TypeName(type) + "\n";
}

// `{a="x",b="y"}` (with `extra` last, e.g. le), or "" without labels.
std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const std::pair<std::string, std::string>* extra = nullptr) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (out.empty() ? "{" : ",") + names[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (extra) {
    out += (out.empty() ? "{" : ",") + extra->first + "=\"" + EscapeLabelValue(extra->second) + "\"";
  }
  return out.empty() ? out : out + "}";
}

template <class Series>
void AppendSimple(std::string& out, const Family<Series>& family, Type type) {
  AppendHeader(out, family.name(), family.help(), type);
  for (const auto& [values, series] : family.Snapshot()) {
    out +=
        family.name() + LabelText(family.label_names(), values) + " " + FormatValue(series->value()) + "\n";
  }
}

void AppendHistogram(std::string& out, const HistogramFamily& family) {
  AppendHeader(out, family.name(), family.help(), Type::kHistogram);
  for (const auto& [values, h] : family.Snapshot()) {
    auto counts = h->CumulativeCounts();
    for (size_t i = 0; i < counts.size(); ++i) {
      std::pair<std::string, std::string> le{"le",
                                             i < h->bounds().size() ? FormatValue(h->bounds()[i]) : "+Inf"};
      out += family.name() + "_bucket" + LabelText(family.label_names(), values, &le) + " " +
             std::to_string(counts[i]) + "\n";
    }
    const std::string labels = LabelText(family.label_names(), values);
    out += family.name() + "_sum" + labels + " " + FormatValue(h->sum()) + "\n";
    // The count is the +Inf bucket's, read once, so _count and the buckets agree within one scrape.
    out += family.name() + "_count" + labels + " " + std::to_string(counts.back()) + "\n";
  }
}

void AppendCollected(std::string& out, const CollectedFamily& f) {
  Require(IsValidMetricName(f.name), "invalid metric name", f.name);
  AppendHeader(out, f.name, f.help, f.type);
  for (const auto& s : f.samples) {
    std::vector<std::string> names;
    std::vector<std::string> values;
    for (const auto& [n, v] : s.labels) {
      Require(IsValidLabelName(n), "invalid label name", n);
      names.push_back(n);
      values.push_back(v);
    }
    out += f.name + LabelText(names, values) + " " + FormatValue(s.value) + "\n";
  }
}

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    buckets_[i].store(0, std::memory_order_relaxed);
  }
}

void Histogram::Observe(double v) {
  // The first bound >= v (Prometheus buckets are "less than or equal"); past the last one, +Inf.
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::CumulativeCounts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

template <class Series>
Series* Family<Series>::Make() {
  if constexpr (std::is_same_v<Series, Histogram>) {
    return new Histogram(bounds_);
  } else {
    return new Series();
  }
}

template <class Series>
Series& Family<Series>::WithLabels(const std::vector<std::string_view>& values) {
  Require(values.size() == label_names_.size(), "wrong number of label values", name_);
  std::string key = SeriesKey(values);
  {
    std::shared_lock lock(mu_);
    if (auto it = by_key_.find(key); it != by_key_.end()) {
      return *it->second;
    }
  }
  std::unique_lock lock(mu_);
  auto [it, inserted] = by_key_.try_emplace(std::move(key));
  if (inserted) {
    it->second.reset(Make());
    order_.emplace_back(std::vector<std::string>(values.begin(), values.end()), it->second.get());
  }
  return *it->second;
}

template <class Series>
std::vector<std::pair<std::vector<std::string>, const Series*>> Family<Series>::Snapshot() const {
  std::shared_lock lock(mu_);
  return order_;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

void Registry::CheckNew(const std::string& name, const std::vector<std::string>& label_names) {
  Require(IsValidMetricName(name), "invalid metric name", name);
  for (const auto& l : label_names) {
    Require(IsValidLabelName(l) && l != "le", "invalid label name", l);
  }
  for (const auto& e : families_) {
    Require((e.counter ? e.counter->name()
             : e.gauge ? e.gauge->name()
                       : e.histogram->name()) != name,
            "registered twice", name);
  }
}

CounterFamily& Registry::AddCounter(std::string name, std::string help,
                                    std::vector<std::string> label_names) {
  std::unique_lock lock(mu_);
  CheckNew(name, label_names);
  auto family = std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names),
                                                std::vector<double>{});
  CounterFamily& ref = *family;
  families_.push_back({Type::kCounter, std::move(family), nullptr, nullptr});
  return ref;
}

GaugeFamily& Registry::AddGauge(std::string name, std::string help, std::vector<std::string> label_names) {
  std::unique_lock lock(mu_);
  CheckNew(name, label_names);
  auto family = std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names),
                                              std::vector<double>{});
  GaugeFamily& ref = *family;
  families_.push_back({Type::kGauge, nullptr, std::move(family), nullptr});
  return ref;
}

HistogramFamily& Registry::AddHistogram(std::string name, std::string help,
                                        std::vector<std::string> label_names, std::vector<double> bounds) {
  Require(std::is_sorted(bounds.begin(), bounds.end()) &&
              std::adjacent_find(bounds.begin(), bounds.end()) == bounds.end(),
          "histogram bounds must ascend", name);
  std::unique_lock lock(mu_);
  CheckNew(name, label_names);
  auto family = std::make_unique<HistogramFamily>(std::move(name), std::move(help), std::move(label_names),
                                                  std::move(bounds));
  HistogramFamily& ref = *family;
  families_.push_back({Type::kHistogram, nullptr, nullptr, std::move(family)});
  return ref;
}

void Registry::AddCollector(Collector collector) {
  std::unique_lock lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::Expose() const {
  std::string out;
  std::vector<Collector> collectors;
  {
    std::shared_lock lock(mu_);
    for (const auto& e : families_) {
      switch (e.type) {
        case Type::kCounter:
          AppendSimple(out, *e.counter, Type::kCounter);
          break;
        case Type::kGauge:
          AppendSimple(out, *e.gauge, Type::kGauge);
          break;
        case Type::kHistogram:
          AppendHistogram(out, *e.histogram);
          break;
      }
    }
    collectors = collectors_;
  }
  // Families of one name from several collectors (or calls) are exposed once, samples merged.
  std::vector<CollectedFamily> merged;
  for (const auto& collect : collectors) {
    for (auto& f : collect()) {
      auto same = std::find_if(merged.begin(), merged.end(), [&](const auto& m) { return m.name == f.name; });
      if (same == merged.end()) {
        merged.push_back(std::move(f));
      } else {
        same->samples.insert(same->samples.end(), f.samples.begin(), f.samples.end());
      }
    }
  }
  for (const auto& f : merged) {
    AppendCollected(out, f);
  }
  return out;
}

namespace {
// Backslash and newline escaped, and the double quote too when `quote`.
std::string Escape(std::string_view v, bool quote) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || (quote && c == '"')) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

std::string EscapeLabelValue(std::string_view v) { return Escape(v, /*quote=*/true); }

std::string EscapeHelp(std::string_view v) { return Escape(v, /*quote=*/false); }

std::string FormatValue(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // the shortest text that reads back as v
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

namespace {
bool IsNameChar(char c, bool first, bool colon) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}
}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, true)) {
      return false;
    }
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, false)) {
      return false;
    }
  }
  return true;
}

}  // namespace lmcp::metrics

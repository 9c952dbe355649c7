#include "common/iso8601.h"

#include <time.h>

#include <cstdio>

namespace lmcp {
namespace {

struct Fields {
  int year, month, day, hour, minute, second, millis;
};

Fields Split(WallTime t) {
  auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  auto secs = std::chrono::floor<std::chrono::seconds>(ms);
  std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return Fields{tm.tm_year + 1900,
                tm.tm_mon + 1,
                tm.tm_mday,
                tm.tm_hour,
                tm.tm_min,
                tm.tm_sec,
                static_cast<int>((ms - secs).count())};
}

// `pattern` takes year, month, day, hour, minute, second and milliseconds, in that order (a pattern may stop
// before the milliseconds; printf ignores arguments left over).
std::string Format(WallTime t, const char* pattern) {
  Fields f = Split(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, pattern, f.year, f.month, f.day, f.hour, f.minute, f.second, f.millis);
  return buf;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// `len` digits at `pos`, or nullopt.
std::optional<int> Digits(std::string_view s, std::size_t pos, std::size_t len) {
  if (pos + len > s.size()) {
    return std::nullopt;
  }
  int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (!IsDigit(s[i])) {
      return std::nullopt;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool InRange(const std::tm& tm) {
  return tm.tm_mon >= 0 && tm.tm_mon <= 11 && tm.tm_mday >= 1 && tm.tm_mday <= 31 && tm.tm_hour <= 23 &&
         tm.tm_min <= 59 && tm.tm_sec <= 60;
}

// Parses "[.fff][Z|±hh[:]mm]" from `pos` to the end: the fraction into *fraction, the offset into *offset.
bool ParseFractionAndZone(std::string_view s, std::size_t pos, std::chrono::milliseconds* fraction,
                          long* offset_seconds) {
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100, ms = 0;
    while (pos < s.size() && IsDigit(s[pos])) {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    *fraction = std::chrono::milliseconds(ms);
  }
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      auto oh = Digits(s, pos + 1, 2);
      std::size_t mpos = pos + 3;
      if (mpos < s.size() && s[mpos] == ':') {
        ++mpos;
      }
      auto om = Digits(s, mpos, 2);
      if (!oh || !om) {
        return false;
      }
      *offset_seconds = sign * (*oh * 3600L + *om * 60L);
      pos = mpos + 2;
    } else {
      return false;
    }
  }
  return pos == s.size();
}

}  // namespace

std::string FormatIso8601(WallTime t) { return Format(t, "%04d-%02d-%02dT%02d:%02d:%02dZ"); }

std::string FormatIso8601Millis(WallTime t) { return Format(t, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ"); }

std::string FormatIso8601Basic(WallTime t) { return Format(t, "%04d%02d%02dT%02d%02d%02dZ"); }

std::optional<WallTime> ParseIso8601(std::string_view s) {
  auto year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  if (!year || !month || !day || s.size() < 10 || s[4] != '-' || s[7] != '-') {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  std::size_t pos = 10;
  std::chrono::milliseconds fraction{0};
  long offset_seconds = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') {
      return std::nullopt;
    }
    auto hour = Digits(s, pos + 1, 2), minute = Digits(s, pos + 4, 2), second = Digits(s, pos + 7, 2);
    if (!hour || !minute || !second || s[pos + 3] != ':' || s[pos + 6] != ':') {
      return std::nullopt;
    }
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *second;
    if (!ParseFractionAndZone(s, pos + 9, &fraction, &offset_seconds)) {
      return std::nullopt;
    }
  }
  if (!InRange(tm)) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm)) + fraction -
         std::chrono::seconds(offset_seconds);
}

std::optional<WallTime> ParseIso8601Basic(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') {
    return std::nullopt;
  }
  auto year = Digits(s, 0, 4), month = Digits(s, 4, 2), day = Digits(s, 6, 2);
  auto hour = Digits(s, 9, 2), minute = Digits(s, 11, 2), second = Digits(s, 13, 2);
  if (!year || !month || !day || !hour || !minute || !second) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  if (!InRange(tm)) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace lmcp

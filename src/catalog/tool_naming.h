#pragma once
// Tool names from function names: the reference server's rule (prefix stripped, [^A-Za-z0-9_] → '_', a
// leading digit gets a leading '_'), then at most 64 characters and unique names. Collisions are resolved
// deterministically (independent of listing order) and every rename is reported. Pure functions.

#include <string>
#include <vector>

namespace lmcp::catalog {

inline constexpr std::size_t kMaxToolNameLength = 64;

// The reference server's name for a function (may be empty or longer than 64 characters).
std::string ReferenceToolName(const std::string& function_name, const std::string& prefix);

// 8 lower-case hex digits (FNV-1a 32) of the text: a stable disambiguating suffix.
std::string ShortHash(const std::string& text);

struct NameAssignment {
  std::vector<std::string> names;  // one per input function, same order, unique, 1..64 characters
  std::vector<std::string> notes;  // one human-readable line per renamed function (log at WARNING)
};

// Names for `function_names` (distinct function names), in order, each at most `max_length` characters
// (less than 64 when a target's namespace goes in front).
NameAssignment AssignToolNames(const std::vector<std::string>& function_names, const std::string& prefix,
                               std::size_t max_length = kMaxToolNameLength);

}  // namespace lmcp::catalog

#pragma once
// ASCII string helpers shared by every layer. Locale-independent: only 'A'..'Z' are folded and only ASCII
// white space is trimmed; bytes >= 0x80 (UTF-8) pass through unchanged. Pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace lmcp {

// ASCII white space: space, tab, CR, LF, form feed, vertical tab.
inline constexpr std::string_view kAsciiWhitespace = " \t\r\n\f\v";
// HTTP optional white space (RFC 9110 OWS): space and tab.
inline constexpr std::string_view kHttpWhitespace = " \t";

char AsciiLower(char c);
std::string AsciiLower(std::string_view s);

// The value of a hexadecimal digit (either case), or -1.
int HexDigitValue(char c);

// Equal after ASCII lower-casing.
bool IEquals(std::string_view a, std::string_view b);

// The parts with `separator` between them ("" for none).
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// The candidate closest to `word` by edit distance (ASCII case-insensitive), if it is close enough to be a
// likely typo (distance at most 2, or a third of the word's length for long words); "" otherwise. For
// "unknown key 'regoin'; did you mean 'region'?".
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// Whether `text` matches the glob `pattern`: "*" any run of characters (also none), "?" exactly one; every
// other character stands for itself (case-sensitive). Linear in practice, at worst O(|pattern| * |text|).
bool GlobMatch(std::string_view pattern, std::string_view text);

// `s` without leading and trailing characters from `chars`.
std::string_view Trim(std::string_view s, std::string_view chars = kAsciiWhitespace);

}  // namespace lmcp

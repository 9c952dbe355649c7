#pragma once
// Text from clients, the network or files made safe for one log line. ForLog keeps printable ASCII and valid
// UTF-8, and writes everything a terminal or a log reader could take as structure as \xNN escapes: C0 and C1
// control characters (newline, ESC, NUL...), DEL, bytes that are not valid UTF-8, the Unicode line separators
// and the bidirectional overrides; a backslash becomes "\\" so an escape cannot be forged. Pure functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lmcp {

// `text` escaped as above and cut to at most `max_len` bytes (never inside an escape or a character), with
// "…" appended when cut. max_len 0 means no limit.
std::string ForLog(std::string_view text, size_t max_len = 200);

// A multi-line message (a list of configuration problems) as one ForLog'd entry per line, so each can be
// logged as a record of its own. Empty lines are dropped.
std::vector<std::string> ForLogLines(std::string_view text, size_t max_line_len = 1000);

}  // namespace lmcp

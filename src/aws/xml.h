#pragma once
// Just enough XML for AWS query-protocol replies (STS) and XML error bodies: find the text of the first
// element with a given name, optionally inside a given parent, with the five predefined entities and
// numeric character references decoded. Not a general parser: no namespaces prefixes, CDATA or DTDs needed.

#include <optional>
#include <string>
#include <string_view>

namespace lmcp::aws {

// Text content of the first <name>…</name> (or <name/>, which gives ""), searched within `xml`.
std::optional<std::string> XmlText(std::string_view xml, std::string_view name);
// The raw inner XML of the first <name>…</name>, for narrowing a search to one element.
std::optional<std::string_view> XmlElement(std::string_view xml, std::string_view name);
std::string XmlUnescape(std::string_view text);
// `text` with &, < and > escaped, for element text.
std::string XmlEscape(std::string_view text);

}  // namespace lmcp::aws

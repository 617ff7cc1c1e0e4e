// JSON string literals for what sqlgate writes itself (audit lines, admin answers): any bytes
// in, a valid JSON string out.
#pragma once

#include <string>
#include <string_view>

namespace sqlgate::obs {

// `value` as a JSON string, quotes included. Bytes that are not valid UTF-8 become U+FFFD,
// so a hostile user name cannot make the line unparseable; control characters (and DEL)
// are escaped.
void append_json_string(std::string& out, std::string_view value);

inline std::string json_string(std::string_view value) {
    std::string out;
    append_json_string(out, value);
    return out;
}

}  // namespace sqlgate::obs

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

// Appends `, "name": value` to an object being written; `json_value` is already JSON.
void append_json_field(std::string& out, std::string_view name, std::string_view json_value);

inline std::string_view json_bool(bool b) {
    return b ? "true" : "false";
}

inline std::string json_string(std::string_view value) {
    std::string out;
    append_json_string(out, value);
    return out;
}

}  // namespace sqlgate::obs

// A file written only at its end, one whole line per write, that can be opened again after
// logrotate moved it: the audit log and the learned statement allowlist.
#pragma once

#include <string>
#include <string_view>

namespace sqlgate::front {

class AppendOnlyFile {
  public:
    // "-" is stderr; any other path is opened for appending and created with mode 0600 (both
    // files hold user names and statement shapes). Throws std::system_error when it cannot.
    explicit AppendOnlyFile(std::string path);
    ~AppendOnlyFile();
    AppendOnlyFile(const AppendOnlyFile&) = delete;
    AppendOnlyFile& operator=(const AppendOnlyFile&) = delete;

    // One write() per line, so lines from several writers on one file never interleave; a
    // short write (a nearly full disk) is finished rather than left for the next line to be
    // glued to. False when the line could not be written whole.
    bool append(std::string_view line) noexcept;
    // Opens the path again; on failure keeps writing to the old file.
    bool reopen() noexcept;
    // Bytes in the file when it was opened (0 for stderr): whether it needs a header.
    bool was_empty() const noexcept { return was_empty_; }
    const std::string& path() const noexcept { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
    bool was_empty_ = true;
};

}  // namespace sqlgate::front

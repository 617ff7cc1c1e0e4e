#include "front/append_only_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace sqlgate::front {
namespace {

constexpr std::string_view kStderrPath = "-";

int open_for_appending(const std::string& path) noexcept {
    return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

}  // namespace

AppendOnlyFile::AppendOnlyFile(std::string path) : path_(std::move(path)) {
    if (path_ == kStderrPath) {
        fd_ = STDERR_FILENO;
        return;
    }
    fd_ = open_for_appending(path_);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), path_);
    struct stat st {};
    was_empty_ = ::fstat(fd_, &st) == 0 && st.st_size == 0;
}

AppendOnlyFile::~AppendOnlyFile() {
    if (fd_ != STDERR_FILENO) ::close(fd_);
}

bool AppendOnlyFile::append(std::string_view line) noexcept {
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n == 0 || errno != EINTR) {
            return false;
        }
    }
    return true;
}

bool AppendOnlyFile::reopen() noexcept {
    if (path_ == kStderrPath) return true;
    const int fd = open_for_appending(path_);
    if (fd < 0) return false;
    ::close(fd_);
    fd_ = fd;
    return true;
}

}  // namespace sqlgate::front

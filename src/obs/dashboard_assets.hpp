// The dashboard's files, compiled into the binary at build time (cmake/EmbedFiles.cmake):
// no file to install, nothing fetched from the internet when the page loads.
#pragma once

#include <span>
#include <string_view>

namespace sqlgate::obs {

struct DashboardAsset {
    std::string_view path;  // "/index.html", "/dashboard.js", ...
    std::string_view content_type;
    std::string_view data;
};

std::span<const DashboardAsset> dashboard_assets();

}  // namespace sqlgate::obs

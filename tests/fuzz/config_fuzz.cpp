// Fuzzes the TOML configuration of the three roles from text: each parser either returns a
// configuration or throws ConfigError; any other exception escaping is a finding.
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <typeinfo>

#include "config/front_config.hpp"
#include "config/proxy_config.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace sqlgate::config;
namespace fs = std::filesystem;

// A folder holding the files the seeds name (relative paths resolve against the config's
// folder), so that inputs get past the file checks to the rest of the configuration.
fs::path& scratch() {
    static fs::path dir;
    return dir;
}

void remove_scratch() {
    std::error_code ignored;
    fs::remove_all(scratch(), ignored);
}

void make_scratch() {
    std::string pattern = (fs::temp_directory_path() / "sqlgate-config-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) sqlgate::fuzz::fail("cannot create a scratch folder");
    scratch() = pattern;
    std::atexit(remove_scratch);
    fs::create_directories(scratch() / "certs");
    fs::create_directories(scratch() / "secrets");
    fs::create_directories(scratch() / "lists");
    for (const char* name : {"certs/ca.crt", "certs/gatekeeper.crt", "certs/gatekeeper.key",
                             "certs/trusted-host.crt", "certs/trusted-host.key", "certs/proxy.crt",
                             "certs/proxy.key", "ca.crt", "gk.crt", "gk.key", "lists/app.txt"}) {
        std::ofstream(scratch() / name) << "-----BEGIN CERTIFICATE-----\n";
    }
    for (const char* name : {"secrets/proxy.password", "secrets/monitor.password", "proxy.pw",
                             "monitor.pw", "repl.pw"}) {
        std::ofstream(scratch() / name) << "s3cret\n";
    }
    for (const char* name : {"trusted-host.secrets", "th.secrets"}) {
        std::ofstream(scratch() / name) << "[users.app]\nuser = \"app\"\npassword = \"s3cret\"\n";
        ::chmod((scratch() / name).c_str(), 0600);
    }
}

template <typename Parse>
void parse_or_refuse(Parse parse, std::string_view text, const char* role) {
    try {
        parse(text, scratch() / "role.toml");
    } catch (const ConfigError&) {
        // The expected refusal of a bad configuration.
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s config: %s escaped the parser: %s\n", role, typeid(e).name(),
                     e.what());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_scratch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    parse_or_refuse(parse_gatekeeper_config, text, "gatekeeper");
    parse_or_refuse(parse_trusted_host_config, text, "trusted host");
    parse_or_refuse(parse_proxy_config, text, "proxy");
    return 0;
}

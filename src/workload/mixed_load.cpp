#include "workload/mixed_load.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "workload/cli_options.hpp"
#include "workload/client.hpp"

namespace sqlgate::workload {
namespace {

std::int64_t epoch_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// What every thread reports, under one lock (a few thousand events a second at most).
struct Tally {
    struct Event {
        std::int64_t at_ms;
        bool write;
        unsigned error_code;  // 0: ok
    };
    std::mutex mutex;
    std::vector<std::string> acknowledged;
    std::vector<std::int64_t> write_ok_ms;
    std::vector<std::int64_t> write_failed_ms;
    std::int64_t reads_ok = 0;
    std::int64_t reads_failed = 0;
    std::vector<Event> events;
};

// Spaces one thread's statements so that all threads together keep to `rate` per second.
class Pacer {
  public:
    Pacer(int rate, int threads)
        : period_(rate > 0 ? std::chrono::microseconds(1'000'000LL * threads / rate)
                           : std::chrono::microseconds(0)),
          next_(std::chrono::steady_clock::now()) {}
    void wait() {
        if (period_.count() == 0) return;
        next_ += period_;
        std::this_thread::sleep_until(next_);
    }

  private:
    std::chrono::microseconds period_;
    std::chrono::steady_clock::time_point next_;
};

}  // namespace

void add_mixed_load_options(CLI::App& sub, MixedLoadOptions& opts) {
    add_defaults_file_option(sub, opts.defaults_file);
    sub.add_option("--table", opts.table, "table the writers insert into (created if missing)")
        ->capture_default_str();
    sub.add_option("--writers", opts.writers, "writer threads")
        ->check(CLI::Range(0, 256))
        ->capture_default_str();
    sub.add_option("--readers", opts.readers, "reader threads")
        ->check(CLI::Range(0, 256))
        ->capture_default_str();
    add_seconds_option(sub, opts.duration, "how long the load runs [default: 10]");
    sub.add_option("--acknowledged-file", opts.acknowledged_file,
                   "write the key of every acknowledged insert here, one per line");
    sub.add_option("--events-file", opts.events_file,
                   "write every statement's outcome here: EPOCH_MS write|read ok|ERROR_CODE");
    sub.add_option("--rate", opts.rate, "statements per second over all threads (0: no limit)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
}

int run_mixed_load(const MixedLoadOptions& opts, std::ostream& out) {
    const ConnectParams params{.defaults_file = opts.defaults_file};
    {
        Client setup(params);
        const auto r = setup.query("CREATE TABLE IF NOT EXISTS " + opts.table +
                                       " (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                                       "row_key VARCHAR(40) NOT NULL UNIQUE)",
                                   Route::write);
        if (!r.ok()) {
            out << "error=\"" << r.error << "\"\n";
            return 2;
        }
    }
    Tally tally;
    std::atomic<bool> stop = false;
    const std::string run = std::to_string(epoch_ms());  // keys stay unique across runs
    std::vector<std::thread> threads;
    const int thread_count = std::max(1, opts.writers + opts.readers);
    for (int w = 0; w < opts.writers; ++w) {
        threads.emplace_back([&, w] {
            Client client(params);
            Pacer pacer(opts.rate, thread_count);
            for (int n = 0; !stop; ++n) {
                pacer.wait();
                const std::string key = run + "-" + std::to_string(w) + "-" + std::to_string(n);
                const auto r =
                    client.query("INSERT INTO " + opts.table + " (row_key) VALUES ('" + key + "')",
                                 Route::write);
                const std::int64_t at = epoch_ms();
                std::lock_guard lock(tally.mutex);
                tally.events.push_back({at, true, r.ok() ? 0u : std::max(r.error_code, 1u)});
                if (r.ok()) {
                    tally.acknowledged.push_back(key);
                    tally.write_ok_ms.push_back(at);
                } else {
                    tally.write_failed_ms.push_back(at);
                }
                if (!r.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
    }
    for (int r = 0; r < opts.readers; ++r) {
        threads.emplace_back([&] {
            Client client(params);
            Pacer pacer(opts.rate, thread_count);
            while (!stop) {
                pacer.wait();
                const auto r = client.query("SELECT COUNT(*) FROM " + opts.table, Route::random);
                const std::int64_t at = epoch_ms();
                std::lock_guard lock(tally.mutex);
                tally.events.push_back({at, false, r.ok() ? 0u : std::max(r.error_code, 1u)});
                ++(r.ok() ? tally.reads_ok : tally.reads_failed);
            }
        });
    }
    std::this_thread::sleep_for(opts.duration);
    stop = true;
    for (auto& t : threads)
        t.join();

    std::int64_t first_failed = 0;
    std::int64_t resumed = 0;
    if (!tally.write_failed_ms.empty()) {
        first_failed =
            *std::min_element(tally.write_failed_ms.begin(), tally.write_failed_ms.end());
        for (const std::int64_t at : tally.write_ok_ms) {
            if (at > first_failed && (resumed == 0 || at < resumed)) resumed = at;
        }
    }
    if (!opts.events_file.empty()) {
        std::ofstream file(opts.events_file);
        for (const auto& e : tally.events) {
            file << e.at_ms << (e.write ? " write " : " read ");
            if (e.error_code == 0) {
                file << "ok\n";
            } else {
                file << e.error_code << '\n';
            }
        }
    }
    if (!opts.acknowledged_file.empty()) {
        std::ofstream file(opts.acknowledged_file);
        for (const std::string& key : tally.acknowledged)
            file << key << '\n';
    }
    out << "reads_ok=" << tally.reads_ok << "\nreads_failed=" << tally.reads_failed
        << "\nwrites_acknowledged=" << tally.acknowledged.size()
        << "\nwrites_failed=" << tally.write_failed_ms.size()
        << "\nfirst_failed_write_ms=" << first_failed << "\nwrites_resumed_ms=" << resumed << '\n';
    return 0;
}

}  // namespace sqlgate::workload

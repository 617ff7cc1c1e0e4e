// A stand-in for the gatekeeper's HTTPS API in the workload tests: a Beast server on a
// loopback address and an ephemeral port, on its own thread, answering as each test says.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test_tls.hpp"

namespace sqlgate::workload::test_support {

struct SeenRequest {
    std::string method;
    std::string target;
    std::string host;
    std::string authorization;
    std::string content_type;
    std::string body;
    int connection = 0;  // which accepted connection carried it, from 1
};

// What the server does with one request.
struct Answer {
    unsigned status = 200;
    std::string body;
    bool close_after = false;  // end the connection once answered, without announcing it,
                               // as an idle timeout would
    bool drop = false;         // end the connection without answering
    bool stall = false;        // never answer; wait for the client to give up
};

// Called on the server's thread with the request and its index (from 0) among all requests.
using Handler = std::function<Answer(const SeenRequest&, int index)>;

class FakeGatekeeper {
  public:
    FakeGatekeeper(const gatekeeper::test_support::TestCertificate& certificate, Handler handler,
                   const std::string& address = "127.0.0.1");
    ~FakeGatekeeper();
    FakeGatekeeper(const FakeGatekeeper&) = delete;
    FakeGatekeeper& operator=(const FakeGatekeeper&) = delete;

    std::uint16_t port() const { return port_; }
    std::vector<SeenRequest> requests() const;
    int connections() const;  // accepted so far
    // Waits up to five seconds for the server to have ended `count` connections.
    bool wait_closed(int count) const;

    struct State;

  private:
    std::shared_ptr<State> state_;
    boost::asio::io_context io_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

// A JSON result set as the API sends it, from rows of text values.
std::string rows_answer(const std::vector<std::vector<std::string>>& rows);

}  // namespace sqlgate::workload::test_support

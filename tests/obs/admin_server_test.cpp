#include "obs/admin_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <stdexcept>
#include <thread>

#include "obs/admin_client.hpp"

namespace sqlgate::obs {
namespace {

using boost::asio::awaitable;

TEST(AdminTarget, PathAndQuery) {
    const auto t = split_target("/switchover?to=replica-2&x=&flag");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->first, "/switchover");
    EXPECT_EQ(t->second.at("to"), "replica-2");
    EXPECT_EQ(t->second.at("x"), "");
    EXPECT_EQ(t->second.at("flag"), "");
    EXPECT_TRUE(split_target("/healthz")->second.empty());
    EXPECT_FALSE(split_target("healthz"));
    EXPECT_FALSE(split_target(""));
}

TEST(AdminServer, OnlyLoopbackAddresses) {
    boost::asio::io_context io;
    EXPECT_THROW(AdminServer(io.get_executor(), {boost::asio::ip::make_address("10.1.2.3"), 0}),
                 std::runtime_error);
}

// A real listener and the real client over loopback: routed answers, 404, 400.
TEST(AdminServer, AnswersItsRoutesAndRefusesTheRest) {
    boost::asio::io_context io;
    AdminServer server(io.get_executor(), {boost::asio::ip::make_address("127.0.0.1"), 0});
    server.route("POST", "/echo", [](const AdminRequest& r) -> awaitable<AdminAnswer> {
        const auto to = r.query.find("to");
        std::string body = "{\"to\": " + json_string(to == r.query.end() ? "" : to->second) + "}";
        co_return AdminAnswer{200, std::move(body)};
    });
    server.start();
    const std::string address = "127.0.0.1:" + std::to_string(server.local_endpoint().port());
    std::thread loop([&] { io.run(); });
    const AdminAnswer echoed = call_admin(address, "POST", "/echo?to=a\"b");
    const AdminAnswer missing = call_admin(address, "GET", "/echo");
    const AdminAnswer nobody = call_admin("127.0.0.1:1", "GET", "/healthz");
    const AdminAnswer malformed = call_admin("nonsense", "GET", "/healthz");
    server.stop();
    io.stop();
    loop.join();
    EXPECT_EQ(echoed.status, 200u);
    EXPECT_EQ(echoed.body, "{\"to\": \"a\\\"b\"}\n");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_NE(missing.body.find("no GET /echo"), std::string::npos) << missing.body;
    EXPECT_EQ(nobody.status, 0u);
    EXPECT_NE(nobody.body.find("connecting to 127.0.0.1:1"), std::string::npos) << nobody.body;
    EXPECT_EQ(malformed.status, 0u);
    EXPECT_NE(malformed.body.find("ADDRESS:PORT"), std::string::npos) << malformed.body;
}

}  // namespace
}  // namespace sqlgate::obs

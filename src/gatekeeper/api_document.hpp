// The HTTP API described for machines: an OpenAPI 3.1 document, served at
// GET /v1/openapi.json and checked against real answers by the tests.
#pragma once

#include <string_view>

namespace sqlgate::gatekeeper {

// The document, JSON text; written by hand beside the code that answers (api_exchange.cpp),
// so a change of an answer's shape changes both.
std::string_view openapi_document();

}  // namespace sqlgate::gatekeeper

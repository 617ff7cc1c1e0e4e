#include "gatekeeper/api_document.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace sqlgate::gatekeeper {
namespace {

constexpr std::string_view kDocument = R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "sqlgate gatekeeper HTTP API",
    "version": "1",
    "description": "SQL over HTTPS through the gatekeeper: every statement passes the same policy, rate limits and audit as on the MySQL port, and runs in the user's default schema. Reads go to replicas by route; writes to the primary."
  },
  "servers": [{"url": "https://127.0.10.1:8443", "description": "scripts/run.sh's local chain"}],
  "security": [{"bearer": []}],
  "paths": {
    "/v1/query": {
      "post": {
        "summary": "Run one statement",
        "operationId": "query",
        "requestBody": {"$ref": "#/components/requestBodies/Query"},
        "responses": {
          "200": {"$ref": "#/components/responses/Result"},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "502": {"$ref": "#/components/responses/UpstreamError"},
          "503": {"$ref": "#/components/responses/UpstreamUnavailable"}
        }
      }
    },
    "/populate_tables": {"post": {"summary": "Run a statement on the primary (the original system's endpoint)", "operationId": "populateTables", "requestBody": {"$ref": "#/components/requestBodies/Statement"}}},
    "/fetch_direct": {"post": {"summary": "Read through the direct route (the primary)", "operationId": "fetchDirect", "requestBody": {"$ref": "#/components/requestBodies/Statement"}}},
    "/fetch_random": {"post": {"summary": "Read from a random usable replica", "operationId": "fetchRandom", "requestBody": {"$ref": "#/components/requestBodies/Statement"}}},
    "/fetch_customized": {"post": {"summary": "Read from the replica with the lowest expected response time", "operationId": "fetchCustomized", "requestBody": {"$ref": "#/components/requestBodies/Statement"}}},
    "/health_check": {
      "get": {
        "summary": "Whether a session through the whole chain answers",
        "operationId": "healthCheck",
        "security": [],
        "responses": {
          "200": {"description": "The chain answers", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
          "503": {"description": "The next hop does not answer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
        }
      }
    },
    "/v1/openapi.json": {
      "get": {
        "summary": "This document",
        "operationId": "openapi",
        "security": [],
        "responses": {"200": {"description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer", "description": "The user's API token; the gatekeeper stores only its SHA-256."}
    },
    "requestBodies": {
      "Query": {
        "required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Query"},
          "example": {"sql": "SELECT id, name FROM orders WHERE id = 7", "route": "random"}}}
      },
      "Statement": {
        "required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Statement"},
          "example": {"sql": "SELECT COUNT(*) FROM direct_table"}}}
      }
    },
    "responses": {
      "Result": {
        "description": "A result set (values typed by column), or what a write changed",
        "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/ResultSet"}, {"$ref": "#/components/schemas/WriteResult"}]},
          "example": {"columns": [{"name": "id", "type": "INT"}, {"name": "name", "type": "VARCHAR"}, {"name": "total", "type": "DECIMAL"}], "rows": [[7, "ann", "19.90"]], "row_count": 1}}}
      },
      "BadRequest": {"description": "The body is not a statement request (code bad_request), or the database refused the statement (code statement_failed, with mysql_code and sql_state)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "No bearer token, or not a valid one", "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "Refused by the user's policy; rule names the rule", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "The body or the statement is larger than allowed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "UnsupportedMediaType": {"description": "The body is not application/json", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "RateLimited": {"description": "Too many statements for the user or the source address", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "UpstreamError": {"description": "The next hop failed during the statement", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "UpstreamUnavailable": {"description": "The next hop, or the database behind it, cannot be reached", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Statement": {
        "type": "object",
        "required": ["sql"],
        "properties": {"sql": {"type": "string", "minLength": 1, "description": "One statement"}}
      },
      "Query": {
        "type": "object",
        "required": ["sql"],
        "properties": {
          "sql": {"type": "string", "minLength": 1, "description": "One statement"},
          "route": {"type": ["string", "null"], "enum": ["direct", "random", "customized", null], "description": "Where a read goes; the user's default route when absent"}
        }
      },
      "Column": {
        "type": "object",
        "required": ["name", "type"],
        "additionalProperties": false,
        "properties": {
          "name": {"type": "string"},
          "type": {"type": "string", "description": "The SQL type: INT, BIGINT UNSIGNED, DECIMAL, VARCHAR, BLOB, DATETIME, ..."},
          "encoding": {"const": "base64", "description": "Present for binary columns (BLOB, BINARY, VARBINARY, BIT, GEOMETRY): their values are base64"}
        }
      },
      "Value": {
        "description": "An integer as a number when it fits in 53 bits (else a string), FLOAT/DOUBLE as a number, DECIMAL as a string, DATETIME/TIMESTAMP in ISO 8601, a binary column's value in base64, SQL NULL as null",
        "type": ["integer", "number", "string", "null"]
      },
      "ResultSet": {
        "type": "object",
        "required": ["columns", "rows", "row_count"],
        "additionalProperties": false,
        "properties": {
          "columns": {"type": "array", "items": {"$ref": "#/components/schemas/Column"}},
          "rows": {"type": "array", "items": {"type": "array", "items": {"$ref": "#/components/schemas/Value"}}},
          "row_count": {"type": "integer", "minimum": 0}
        }
      },
      "WriteResult": {
        "type": "object",
        "required": ["affected_rows", "last_insert_id"],
        "additionalProperties": false,
        "properties": {
          "affected_rows": {"type": "integer", "minimum": 0},
          "last_insert_id": {"type": "integer", "minimum": 0}
        }
      },
      "Health": {
        "type": "object",
        "required": ["status"],
        "additionalProperties": false,
        "properties": {"status": {"enum": ["ok", "unavailable"]}}
      },
      "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": false,
        "properties": {
          "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "additionalProperties": false,
            "properties": {
              "status": {"type": "integer"},
              "code": {"enum": ["bad_request", "statement_failed", "unauthorized", "policy", "not_found", "method_not_allowed", "too_large", "header_too_large", "unsupported_media_type", "rate_limited", "upstream_error", "upstream_unavailable", "internal"]},
              "message": {"type": "string"},
              "rule": {"type": "string", "description": "With code policy: the firewall rule that refused the statement"},
              "mysql_code": {"type": "integer", "description": "With code statement_failed: the database's error number"},
              "sql_state": {"type": "string", "description": "With code statement_failed: the SQLSTATE"}
            }
          }
        }
      }
    }
  }
})json";

}  // namespace

std::string_view openapi_document() {
    // The original system's four endpoints answer as /v1/query does; OpenAPI cannot refer to
    // a whole set of responses, so they get a copy of its set, made once.
    static const std::string document = [] {
        auto json = nlohmann::ordered_json::parse(kDocument);
        auto& paths = json["paths"];
        const auto responses = paths["/v1/query"]["post"]["responses"];
        for (const char* path :
             {"/populate_tables", "/fetch_direct", "/fetch_random", "/fetch_customized"}) {
            paths[path]["post"]["responses"] = responses;
        }
        return json.dump(1);
    }();
    return document;
}

}  // namespace sqlgate::gatekeeper

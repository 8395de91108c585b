#include <catch2/catch.hpp>

#include "quoteframe/errors.hpp"

TEST_CASE("ConfigError names source, line and field", "[errors]") {
  quoteframe::ConfigError e("cb.toml", 12, "frames.legality.patterns", "expected a list of strings");
  CHECK(std::string(e.what()) == "cb.toml:12: frames.legality.patterns: expected a list of strings");
  CHECK(e.line() == 12);
  quoteframe::ConfigError no_line("cb.toml", 0, "", "file not found");
  CHECK(std::string(no_line.what()) == "cb.toml: file not found");
}

TEST_CASE("InputError keeps the byte offset", "[errors]") {
  quoteframe::InputError e("invalid UTF-8", 42);
  CHECK(e.byte_offset() == 42);
  CHECK(dynamic_cast<const std::invalid_argument*>(&e) != nullptr);
}

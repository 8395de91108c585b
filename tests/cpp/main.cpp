// The Catch2 (v2) runner: one main for all test files.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

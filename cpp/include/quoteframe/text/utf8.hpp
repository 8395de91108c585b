// UTF-8 validation and repair.
//
// Every document enters the core through these functions: the rest of the
// core may assume its input is valid UTF-8. Validation follows Unicode's
// definition (no overlong forms, no surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace quoteframe::text {

constexpr std::size_t kNpos = static_cast<std::size_t>(-1);

// Returns the byte offset of the first byte that is not part of a well-formed
// UTF-8 sequence, or kNpos when `s` is valid. Never throws.
std::size_t find_invalid_utf8(std::string_view s) noexcept;

// Returns `s` with every ill-formed subsequence replaced by U+FFFD, one per
// maximal subpart (the policy Unicode recommends, and the one Python's
// errors="replace" uses). `n_replaced`, when given, receives the count.
std::string repair_utf8(std::string_view s, std::size_t* n_replaced = nullptr);

// Throws quoteframe::InputError naming `source` and the byte offset of the
// first invalid byte when `s` is not valid UTF-8.
void require_utf8(std::string_view s, const std::string& source);

// Number of code points in valid UTF-8 `s`.
std::size_t count_code_points(std::string_view s) noexcept;

}  // namespace quoteframe::text

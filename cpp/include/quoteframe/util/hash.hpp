// One string hash for the core's open-addressing tables (interned pattern
// words, memoised token forms and keys).
//
// Reads four UTF-16 code units (eight bytes) per step and mixes with a
// multiply and a rotation; the tail is mixed in one code unit at a time, and
// a final avalanche makes the low bits (the ones a power-of-two table masks
// with) depend on every input bit. Not cryptographic: the tables are built
// by the core from text, and their probing is bounded by their load factor.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace quoteframe::util {

inline uint64_t mix64(uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t hash_u16(const char16_t* s, std::size_t n, uint64_t seed = 0) noexcept {
  constexpr uint64_t k = 0x9E3779B97F4A7C15ULL;
  uint64_t h = seed ^ (static_cast<uint64_t>(n) * k);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint64_t w;
    std::memcpy(&w, s + i, sizeof w);
    h = (h ^ w) * k;
    h = (h << 29) | (h >> 35);
  }
  for (; i < n; ++i) {
    h = (h ^ static_cast<uint64_t>(s[i])) * k;
    h = (h << 29) | (h >> 35);
  }
  return mix64(h);
}

inline uint64_t hash_u16(std::u16string_view s, uint64_t seed = 0) noexcept {
  return hash_u16(s.data(), s.size(), seed);
}

}  // namespace quoteframe::util

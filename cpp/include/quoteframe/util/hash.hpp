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
#include <vector>

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

// Open-addressing id tables (slots hold an id, -1 when empty; the size is a
// power of two; linear probing), as the memos of forms and keys use them.
// The first empty slot on `hash`'s probe path:
inline std::size_t free_slot(const std::vector<int32_t>& slots, uint64_t hash) noexcept {
  const std::size_t mask = slots.size() - 1;
  std::size_t i = hash & mask;
  while (slots[i] >= 0) i = (i + 1) & mask;
  return i;
}

// Doubles `slots` (to `first` when empty) and re-inserts ids 0..n-1, whose
// hashes `hash_of(id)` gives.
template <class HashOf>
void grow_slots(std::vector<int32_t>& slots, std::size_t n, HashOf hash_of, std::size_t first = 1024) {
  slots.assign(slots.empty() ? first : slots.size() * 2, -1);
  for (std::size_t id = 0; id < n; ++id) slots[free_slot(slots, hash_of(id))] = static_cast<int32_t>(id);
}

}  // namespace quoteframe::util
